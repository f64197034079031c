// Per-batch alerts: each names its batch (batch_id).
local duration = import '../lib/duration.libsonnet';

function(c) {
  name: 'anchorbrowser.batches',
  rules: [
    {
      // One batch cannot be fetched while others can (wrong id, invalid or oversized answer).
      alert: 'AnchorBrowserBatchFetchFailing',
      expr: |||
        anchorbrowser_batch_up{%(selector)s} == 0
        unless on (job, instance)
        job_instance:anchorbrowser_batch_up:max{%(selector)s} == 0
      ||| % c,
      'for': c['for'].batchFetchFailing,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Batch {{ $labels.batch_id }} cannot be fetched',
        description: |||
          {{ $labels.instance }} has failed to fetch batch {{ $labels.batch_id }} for %s
          (anchorbrowser_batch_up is {{ $value }}) while it fetches other batches:
          the id may be wrong (not_found) or its answer invalid or too large. See
          anchorbrowser_exporter_fetch_errors_total by reason.
        ||| % duration.text(c['for'].batchFetchFailing),
      },
    },
    {
      alert: 'AnchorBrowserBatchHighFailureRatio',
      expr: |||
        batch:anchorbrowser_batch_requests_failed:ratio{%(selector)s} > %(failureRatioThreshold)s
        and
        batch:anchorbrowser_batch_requests_finished:sum{%(selector)s} >= %(failureRatioMinFinished)s
      ||| % c,
      'for': c['for'].batchHighFailureRatio,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Batch {{ $labels.batch_id }}: {{ $value | humanizePercentage }} of its requests failed',
        description: |||
          {{ $value | humanizePercentage }} of the finished requests of batch
          {{ $labels.batch_id }} (instance {{ $labels.instance }}) failed, above the
          threshold of %(pct)g%% (checked once at least %(min)d requests have finished).
        ||| % { pct: c.failureRatioThreshold * 100, min: c.failureRatioMinFinished },
      },
    },
    {
      // Active with a progress ratio that has not moved: no change within the window, for
      // the window.
      alert: 'AnchorBrowserBatchStuck',
      expr: |||
        (
          anchorbrowser_batch_progress_ratio{%(selector)s}
          and
          changes(anchorbrowser_batch_progress_ratio{%(selector)s}[%(stuckWindow)s]) == 0
        )
        and
        batch:anchorbrowser_batch_status_active:sum{%(selector)s} == 1
      ||| % c,
      'for': c['for'].batchStuck,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Batch {{ $labels.batch_id }} is stuck at {{ $value | humanizePercentage }}',
        description: |||
          Batch {{ $labels.batch_id }} (instance {{ $labels.instance }}) is pending or
          processing, but its progress has stayed at {{ $value | humanizePercentage }} for
          %s.
        ||| % duration.text([c.stuckWindow, c['for'].batchStuck]),
      },
    },
    {
      // The batch reports status failed. Clears a day after its completion time (or when the
      // exporter stops exporting the batch).
      alert: 'AnchorBrowserBatchFailed',
      expr: |||
        anchorbrowser_batch_status{%(selector)s, status="failed"} == 1
        unless ignoring (status)
        time() - anchorbrowser_batch_completion_timestamp_seconds{%(selector)s} > %(failedBatchClearAfterSeconds)d
      ||| % c,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Batch {{ $labels.batch_id }} finished with status failed',
        description: |||
          Batch {{ $labels.batch_id }} (instance {{ $labels.instance }}) reports status
          failed (anchorbrowser_batch_status{status="failed"} is {{ $value }}). See its
          failure ratio and error on the dashboard; the alert clears 24 hours after the
          batch's completion time.
        |||,
      },
    },
    {
      alert: 'AnchorBrowserBatchRetriesSpiking',
      expr: |||
        batch:anchorbrowser_batch_session_retries:delta10m{%(selector)s} > %(retriesSpikeCount)s
        and
        batch:anchorbrowser_batch_session_retries:delta10m{%(selector)s} > %(retriesSpikeShare)s * anchorbrowser_batch_total_requests{%(selector)s}
      ||| % c,
      'for': c['for'].batchRetriesSpiking,
      labels: { severity: 'info' },
      annotations: {
        summary: 'Batch {{ $labels.batch_id }}: {{ $value | humanize }} session retries in 10 minutes',
        description: |||
          Sessions of batch {{ $labels.batch_id }} (instance {{ $labels.instance }}) were
          retried {{ $value | humanize }} times in the last 10 minutes, more than %(n)s and
          more than %(pct)g%% of the batch's requests.
        ||| % { n: c.retriesSpikeCount, pct: c.retriesSpikeShare * 100 },
      },
    },
  ],
}
