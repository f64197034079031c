// Recording rules the dashboard and the alerts read, named level:metric:operations. "batch"
// keeps every label of a batch series (job, instance, batch_id, the exporter label and the
// static labels of the exporter's config); "job_exporter" is one series per exporter (by job
// and the exporter label: with /probe every batch is its own instance).
function(c) {
  name: 'anchorbrowser.rules',
  rules: [
    {
      // 1 while at least one batch of the exporter was fetched in the last scrape, 0 when all
      // fetches failed (the API is unreachable or rejects the key).
      record: 'job_exporter:anchorbrowser_batch_up:max',
      expr: 'max by (job, %(exporterLabel)s) (anchorbrowser_batch_up{%(selector)s})' % c,
    },
    {
      // Requests of a batch that have finished (completed or failed).
      record: 'batch:anchorbrowser_batch_requests_finished:sum',
      expr: 'sum without (state) (anchorbrowser_batch_requests{%(selector)s, state=~"completed|failed"})' % c,
    },
    {
      // Share of the finished requests that failed, 0 to 1 (0 while none finished, not NaN).
      record: 'batch:anchorbrowser_batch_requests_failed:ratio',
      expr: |||
        sum without (state) (anchorbrowser_batch_requests{%(selector)s, state="failed"})
          /
        clamp_min(sum without (state) (anchorbrowser_batch_requests{%(selector)s, state=~"completed|failed"}), 1)
      ||| % c,
    },
    {
      // 1 while the batch is active (pending or processing), 0 once it has finished.
      record: 'batch:anchorbrowser_batch_status_active:sum',
      expr: 'sum without (status) (anchorbrowser_batch_status{%(selector)s, status=~"pending|processing"})' % c,
    },
    {
      // Session retries added over the last 10 minutes: the count now less its lowest value in
      // the window. The retry count is a gauge (a sum over the sessions the API lists); unlike
      // delta(), this is a whole number (no extrapolation) and a batch that starts over counts
      // from its new low.
      record: 'batch:anchorbrowser_batch_session_retries:delta10m',
      expr: |||
        anchorbrowser_batch_session_retries{%(selector)s}
          - min_over_time(anchorbrowser_batch_session_retries{%(selector)s}[10m])
      ||| % c,
    },
    {
      // Throughput: requests of a batch finished (completed or failed) per second, from the
      // change of the finished counts over 5 minutes (the dashboard shows it per minute). The
      // counts are gauges, hence deriv(); a batch that starts over is clamped at 0.
      record: 'batch:anchorbrowser_batch_requests_finished:rate5m',
      expr: 'clamp_min(deriv(batch:anchorbrowser_batch_requests_finished:sum{%(selector)s}[5m]), 0)' % c,
    },
    {
      // ETA: seconds until an active batch finishes at the pace of the last 5 minutes (its
      // requests not yet finished / throughput). Absent while nothing finishes (no pace to go
      // by) and once the batch has finished.
      record: 'batch:anchorbrowser_batch_eta_seconds:rate5m',
      expr: |||
        (
          clamp_min(anchorbrowser_batch_total_requests{%(selector)s} - batch:anchorbrowser_batch_requests_finished:sum{%(selector)s}, 0)
            /
          (batch:anchorbrowser_batch_requests_finished:rate5m{%(selector)s} > 0)
        )
        and
        batch:anchorbrowser_batch_status_active:sum{%(selector)s} == 1
      ||| % c,
    },
    {
      // Failed batch fetches per second by reason, per exporter.
      record: 'job_exporter_reason:anchorbrowser_exporter_fetch_errors:rate%(fetchErrorsRateWindow)s' % c,
      expr: 'sum by (job, %(exporterLabel)s, reason) (rate(anchorbrowser_exporter_fetch_errors_total{%(selector)s}[%(fetchErrorsRateWindow)s]))' % c,
    },
  ],
}
