// Per-batch alerts: each names its batch (batch_id). The ratio and retry alerts watch active
// batches only: a finished batch that failed gets one alert, AnchorBrowserBatchFailed.
local duration = import '../lib/duration.libsonnet';
local t = import '../lib/templates.libsonnet';

function(c) {
  local batch = 'Batch {{ $labels.batch_id }}',
  local where = '(exporter {{ $labels.%s }}, job {{ $labels.job }})' % c.exporterLabel,
  local active = 'batch:anchorbrowser_batch_status_active:sum{%(selector)s} == 1' % c,
  local failed = t.batchCount('anchorbrowser_batch_requests', 'state="failed"'),
  local finished = t.batchCount('batch:anchorbrowser_batch_requests_finished:sum'),
  local total = t.batchCount('anchorbrowser_batch_total_requests'),
  name: 'anchorbrowser.batches',
  rules: [
    {
      // A batch cannot be fetched. While the whole API is unreachable or the key rejected,
      // Alertmanager inhibits this (dashboards/alertmanager.yml, equal on the exporter).
      alert: 'AnchorBrowserBatchFetchFailing',
      expr: 'anchorbrowser_batch_up{%(selector)s} == 0' % c,
      'for': c['for'].batchFetchFailing,
      labels: { severity: 'warning' },
      annotations: {
        summary: '%s cannot be fetched' % batch,
        // The reason and HTTP status from the exporter's per-batch series, e.g.
        // "b2: not_found (HTTP 404)".
        description: |||
          {{ $labels.batch_id }}: %s%s. Every fetch of it %s has failed for %s.
          /probe?target={{ $labels.batch_id }}&debug=true on the exporter shows the request
          and the answer.
        ||| % [t.batchFaultReason('reason unknown'), t.batchHttpStatus(), where, duration.text(c['for'].batchFetchFailing)],
      },
    },
    {
      alert: 'AnchorBrowserBatchHighFailureRatio',
      expr: |||
        batch:anchorbrowser_batch_requests_failed:ratio{%(selector)s} > %(failureRatioThreshold)s
        and
        batch:anchorbrowser_batch_requests_finished:sum{%(selector)s} >= %(failureRatioMinFinished)s
        and
        %(active)s
      ||| % (c { active: active }),
      'for': c['for'].batchHighFailureRatio,
      labels: { severity: 'warning' },
      annotations: {
        summary: '%s: {{ $value | humanizePercentage }} of its finished requests failed' % batch,
        description: |||
          %s of the %s finished requests of the running batch {{ $labels.batch_id }} %s have
          failed ({{ $value | humanizePercentage }}, threshold %g%%; %s requests in all).
        ||| % [failed, finished, where, c.failureRatioThreshold * 100, total],
      },
    },
    {
      // Active with a progress ratio that has not moved: no change within the window, for
      // the alert's `for`.
      alert: 'AnchorBrowserBatchStuck',
      expr: |||
        (
          anchorbrowser_batch_progress_ratio{%(selector)s}
          and
          changes(anchorbrowser_batch_progress_ratio{%(selector)s}[%(stuckWindow)s]) == 0
        )
        and
        %(active)s
      ||| % (c { active: active }),
      'for': c['for'].batchStuck,
      labels: { severity: 'warning' },
      annotations: {
        summary: '%s is stuck at {{ $value | humanizePercentage }}' % batch,
        description: |||
          Batch {{ $labels.batch_id }} %s is pending or processing, but its progress has
          stayed at {{ $value | humanizePercentage }} for %s (%s of %s requests failed so
          far).
        ||| % [where, duration.text([c.stuckWindow, c['for'].batchStuck]), failed, total],
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
      'for': c['for'].batchFailed,
      labels: { severity: 'warning' },
      annotations: {
        summary: '%s finished with status failed (%s of %s requests failed)' % [batch, failed, total],
        description: |||
          Batch {{ $labels.batch_id }} %s reports status failed: %s of its %s requests
          failed. The dashboard's batch summary shows whether it reports an error. The alert
          clears %s after the batch's completion time.
        ||| % [where, failed, total, duration.text('%ds' % c.failedBatchClearAfterSeconds)],
      },
    },
    {
      alert: 'AnchorBrowserBatchRetriesSpiking',
      expr: |||
        batch:anchorbrowser_batch_session_retries:delta10m{%(selector)s} > %(retriesSpikeCount)s
        and
        batch:anchorbrowser_batch_session_retries:delta10m{%(selector)s} > %(retriesSpikeShare)s * anchorbrowser_batch_total_requests{%(selector)s}
        and
        %(active)s
      ||| % (c { active: active }),
      'for': c['for'].batchRetriesSpiking,
      labels: { severity: 'info' },
      annotations: {
        summary: '%s: {{ printf "%%.0f" $value }} session retries in 10 minutes' % batch,
        description: |||
          Sessions of the running batch {{ $labels.batch_id }} %s were retried
          {{ printf "%%.0f" $value }} times in the last 10 minutes (thresholds: more than %d
          and more than %g%% of its %s requests); %s of its sessions have retried at least
          once.
        ||| % [where, c.retriesSpikeCount, c.retriesSpikeShare * 100, total, t.batchCount('anchorbrowser_batch_retried_sessions')],
      },
    },
  ],
}
