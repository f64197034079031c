// Everything a site may want to change, in one place. Override it when importing the mixin:
//   (import 'mixin.libsonnet') + { _config+:: { selector: 'job="anchor"' } }
{
  _config+:: {
    // Label matchers that select the exporter's series; every rule, alert and dashboard query
    // carries them.
    selector: 'job=~"anchorbrowser.*"',
    // The label that names one exporter. With /probe each probed batch is its own `instance`,
    // so the scrape recipes (dashboards/prometheus.yml, deploy/kubernetes) copy the exporter's
    // address into `exporter` on every job. Set 'instance' if your /metrics jobs lack it.
    exporterLabel: 'exporter',

    dashboard: {
      uid: 'anchorbrowser-batches',
      title: 'Anchor Browser batches',
      tags: ['anchorbrowser', 'batch-sessions', 'prometheus-exporter'],
      refresh: '30s',
      timeFrom: 'now-6h',
    },

    // Alert thresholds.
    failureRatioThreshold: 0.25,  // share of the finished requests that failed
    failureRatioMinFinished: 10,  // ...checked once this many requests have finished
    retriesSpikeCount: 10,  // session retries in 10 minutes...
    retriesSpikeShare: 0.1,  // ...that are also this share of the batch's requests
    stuckWindow: '15m',  // no progress change within this window, `for` stuckFor as well
    failedBatchClearAfterSeconds: 86400,  // BatchFailed clears this long after completion
    // Window of the fetch-error rates the API alerts read (the recording rule is named
    // after it: job_exporter_reason:anchorbrowser_exporter_fetch_errors:rate5m).
    fetchErrorsRateWindow: '5m',
    scrapeNearTimeoutShare: 0.8,  // scrape duration above this share of the scrape deadline
    // AnchorBrowserSessionStuck: the oldest running session is older than this many times
    // the batch's run-time percentile (once enough sessions have finished for the percentile
    // to mean something), or older than the ceiling whatever the batch.
    sessionStuckFactor: 3,
    sessionStuckQuantile: 0.9,
    sessionStuckMinFinished: 10,
    sessionStuckCeilingSeconds: 7200,
    // AnchorBrowserBatchEtaGrowing: the slope of the ETA over this window is positive.
    etaGrowingWindow: '10m',
    // AnchorBrowserSessionErrorsSpiking: one error class (anchorbrowser_batch_session_errors)
    // holds more than this share of a processing batch's finished sessions, once this many
    // of them have finished.
    sessionErrorsClassShare: 0.5,
    sessionErrorsMinFinished: 10,

    // The exporter's address as the operator's browser reaches it: the Batch summary table
    // links each batch to <exporterUrl>/batches/<batch_id>. A textbox variable (exporter_url)
    // of the dashboard, so it can be changed there too.
    exporterUrl: 'http://localhost:9877',

    // Each alert's runbook_url is this plus '#' and the alert name in lower case (the anchor
    // of its section in docs/runbook.md). Point it at where you publish the docs.
    runbookUrl: 'docs/runbook.md',

    // `for` durations of the alerts.
    // Alertmanager inhibits per-batch alerts while an exporter-wide one explains them
    // (dashboards/alertmanager.yml): the inhibiting alerts' `for` must not be longer than
    // batchFetchFailing, or the per-batch notifications go out first.
    'for': {
      exporterDown: '5m',
      exporterAbsent: '15m',
      configReloadFailed: '5m',
      scrapeNearTimeout: '10m',
      apiUnreachable: '5m',
      apiKeyRejected: '2m',
      apiRateLimited: '10m',
      batchFetchFailing: '10m',
      batchHighFailureRatio: '5m',
      batchStuck: '15m',
      batchFailed: '5m',
      batchRetriesSpiking: '2m',
      sessionStuck: '2m',
      batchEtaGrowing: '15m',
      sessionErrorsSpiking: '15m',
    },
  },
}
