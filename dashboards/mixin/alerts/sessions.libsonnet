// Per-session alerts from the sessions list of each batch: a session that runs far longer than
// its batch's others, a batch whose estimated time to finish moves away, and a batch whose
// sessions mostly fail for one reason (error class).
local duration = import '../lib/duration.libsonnet';
local t = import '../lib/templates.libsonnet';

function(c) {
  local where = '(exporter {{ $labels.%s }}, job {{ $labels.job }})' % c.exporterLabel,
  local ended = 'sum without (status) (anchorbrowser_batch_sessions{%(selector)s, status=~"completed|failed|cancelled"})' % c,
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
    {
      // One error class holds more than sessionErrorsClassShare of the sessions a processing
      // batch has ended (once sessionErrorsMinFinished have): its failures have one cause.
      // anchorbrowser_batch_session_errors only has series for classes with sessions.
      alert: 'AnchorBrowserSessionErrorsSpiking',
      expr: |||
        anchorbrowser_batch_session_errors{%(selector)s}
          / ignoring (class) group_left
        %(ended)s
          > %(sessionErrorsClassShare)g
        and ignoring (class)
        %(ended)s >= %(sessionErrorsMinFinished)d
        and ignoring (class, status)
        anchorbrowser_batch_status{%(selector)s, status="processing"} == 1
      ||| % (c { ended: ended }),
      'for': c['for'].sessionErrorsSpiking,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Batch {{ $labels.batch_id }}: {{ $value | humanizePercentage }} of its ended sessions failed with {{ $labels.class }}',
        description: |||
          %s of the %s sessions that the processing batch {{ $labels.batch_id }} %s has ended
          failed with an error of class {{ $labels.class }} ({{ $value | humanizePercentage }},
          threshold %g%%), for %s: one cause dominates its failures. The exporter's page
          /batches/{{ $labels.batch_id }} lists the batch's most frequent error messages.
        ||| % [t.batchClassErrors(), t.batchSessionsEnded(), where, c.sessionErrorsClassShare * 100, duration.text(c['for'].sessionErrorsSpiking)],
      },
    },
  ],
}
