// Per-session alerts from the sessions list of each batch: a session that runs far longer than
// its batch's others, and a batch whose estimated time to finish moves away.
local duration = import '../lib/duration.libsonnet';

function(c) {
  local where = '(exporter {{ $labels.%s }}, job {{ $labels.job }})' % c.exporterLabel,
  local oldestAge = 'time() - anchorbrowser_batch_session_oldest_running_start_timestamp_seconds{%(selector)s}' % c,
  name: 'anchorbrowser.sessions',
  rules: [
    {
      // The oldest session still processing has run more than sessionStuckFactor times the
      // batch's run-time percentile (once sessionStuckMinFinished sessions have finished, so
      // that the percentile means something), or longer than the ceiling whatever the batch.
      // The run-time histogram is a gauge histogram: histogram_quantile() reads it as is.
      alert: 'AnchorBrowserSessionStuck',
      expr: |||
        (
          %(oldestAge)s
            > %(sessionStuckFactor)g * histogram_quantile(%(sessionStuckQuantile)g, anchorbrowser_batch_session_duration_seconds_bucket{%(selector)s})
          and
          anchorbrowser_batch_session_duration_seconds_gcount{%(selector)s} >= %(sessionStuckMinFinished)d
        )
        or
        %(oldestAge)s > %(sessionStuckCeilingSeconds)d
      ||| % (c { oldestAge: oldestAge }),
      'for': c['for'].sessionStuck,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Batch {{ $labels.batch_id }} has a session running for {{ $value | humanizeDuration }}',
        description: |||
          The oldest session of batch {{ $labels.batch_id }} %s still processing started
          {{ $value | humanizeDuration }} ago: more than %g times the batch's %gth percentile
          run time, or more than %s. It is probably stuck; the batch cannot finish until it
          ends.
        ||| % [where, c.sessionStuckFactor, c.sessionStuckQuantile * 100, duration.text('%ds' % c.sessionStuckCeilingSeconds)],
      },
    },
    {
      // The estimated time to finish of a processing batch keeps growing: sessions finish
      // more slowly than before, so the ETA moves away instead of closer.
      alert: 'AnchorBrowserBatchEtaGrowing',
      expr: |||
        deriv(batch:anchorbrowser_batch_eta_seconds:rate5m{%(selector)s}[%(etaGrowingWindow)s]) > 0
        and ignoring (status)
        anchorbrowser_batch_status{%(selector)s, status="processing"} == 1
      ||| % c,
      'for': c['for'].batchEtaGrowing,
      labels: { severity: 'info' },
      annotations: {
        summary: 'Batch {{ $labels.batch_id }}: its ETA keeps growing',
        description: |||
          The estimated time until batch {{ $labels.batch_id }} %s finishes has grown for %s,
          by {{ printf "%%.3g" $value }} seconds per second: its sessions finish more and more
          slowly. See the session run times and throughput on the dashboard.
        ||| % [where, duration.text(c['for'].batchEtaGrowing)],
      },
    },
  ],
}
