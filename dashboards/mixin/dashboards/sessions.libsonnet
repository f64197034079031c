// Row "Session lifecycle": run and queue times, stuck sessions, throughput and ETA, from the
// sessions list of each batch (see overview.libsonnet for `s`).
local p = import '../lib/panels.libsonnet';

// A time series whose series are stacked (parts of one whole).
local stacked = {
  fieldConfig+: { defaults+: { custom+: { fillOpacity: 60, stacking: { mode: 'normal', group: 'A' } } } },
};

local quantile(s, q, histogram) =
  'histogram_quantile(%g, %s_bucket{%s})' % [q, histogram, s.batch];

function(s) p.row('Session lifecycle', 'How long sessions run and wait, why they fail, what is stuck, and when each batch will finish at the current pace (from the sessions list of each batch; the histograms cover batches not yet finished unless sessions.histograms is all).', [
  p.heatmap(
    'Session run time',
    'Run time (completed_at - started_at) of the sessions of the selected batches, as a heatmap of the gauge histogram anchorbrowser_batch_session_duration_seconds (how many sessions took how long, now). The dots are exemplars: the slowest session of each bucket, with its session_id (needs OpenMetrics scrapes and Prometheus --enable-feature=exemplar-storage).',
    's',
    [p.target('sum by (le) (anchorbrowser_batch_session_duration_seconds_bucket{%(batch)s})' % s, '{{le}}') + { format: 'heatmap', exemplar: true }],
  ),
  p.timeseries(
    'Session run time p50 / p90 / p99',
    "Percentiles of the run time of each batch's sessions (histogram_quantile over anchorbrowser_batch_session_duration_seconds_bucket; interpolated within the bucket, so accurate to the bucket bounds). The dots are exemplars: the slowest session of each bucket with its session_id, which the Prometheus data source can link to the session (exemplarTraceIdDestinations, name session_id); they need OpenMetrics scrapes and Prometheus --enable-feature=exemplar-storage.",
    's',
    [
      // Exemplars once (the p99 query): every query of the panel would fetch the same ones.
      p.target(quantile(s, q, 'anchorbrowser_batch_session_duration_seconds'), '{{batch_id}} p%d' % (q * 100))
      + { exemplar: q == 0.99 }
      for q in [0.5, 0.9, 0.99]
    ],
  ),
  p.timeseries(
    'Queue wait p90',
    "90th percentile of the wait from the batch's creation to a session's start (anchorbrowser_batch_session_queue_seconds), per batch.",
    's',
    [p.target(quantile(s, 0.9, 'anchorbrowser_batch_session_queue_seconds'), '{{batch_id}}')],
  ),
  p.bargauge(
    'Oldest running session',
    "Age of the oldest session still processing in each batch (now minus anchorbrowser_batch_session_oldest_running_start_timestamp_seconds). AnchorBrowserSessionStuck fires when it exceeds %g times the batch's p%g run time or %d seconds." % [s.config.sessionStuckFactor, s.config.sessionStuckQuantile * 100, s.config.sessionStuckCeilingSeconds],
    's',
    [p.instant('time() - anchorbrowser_batch_session_oldest_running_start_timestamp_seconds{%(batch)s}' % s, '{{batch_id}}')],
  ),
  p.timeseries(
    'Sessions with error',
    'Sessions of each batch whose error is a non-empty string (anchorbrowser_batch_sessions_with_error).',
    'short',
    [p.target('sum by (batch_id) (anchorbrowser_batch_sessions_with_error{%(batch)s})' % s, '{{batch_id}}')],
  ),
  p.timeseries(
    'Throughput',
    'Requests finished (completed or failed) per minute, per batch, from the change of the finished counts over 5 minutes (recording rule batch:anchorbrowser_batch_requests_finished:rate5m, per second, times 60).',
    'short',
    [p.target('60 * sum by (batch_id) (batch:anchorbrowser_batch_requests_finished:rate5m{%(batch)s})' % s, '{{batch_id}}')],
  ),
  p.timeseries(
    'Why sessions fail',
    "Sessions with an error of the selected batches by error class, stacked (anchorbrowser_batch_session_errors: the API's error texts matched against sessions.error_classes, first match wins, unmatched: other; a class has a series only while it has sessions). AnchorBrowserSessionErrorsSpiking fires when one class holds more than %g%% of a processing batch's ended sessions. The batch's page on the exporter (the Batch summary table links it) lists the most frequent messages." % (s.config.sessionErrorsClassShare * 100),
    'short',
    [p.target('sum by (class) (anchorbrowser_batch_session_errors{%(batch)s})' % s, '{{class}}')],
    w=12
  ) + stacked,
  p.timeseries(
    'Why sessions fail, per batch',
    'Sessions with an error by batch and error class, stacked (anchorbrowser_batch_session_errors): which batch fails for which reason.',
    'short',
    [p.target('sum by (batch_id, class) (anchorbrowser_batch_session_errors{%(batch)s})' % s, '{{batch_id}} {{class}}')],
    w=12
  ) + stacked,
  p.timeseries(
    'ETA',
    'Time until each active batch finishes at the pace of the last 5 minutes: requests not yet finished / throughput (recording rule batch:anchorbrowser_batch_eta_seconds:rate5m; absent while nothing finishes). AnchorBrowserBatchEtaGrowing fires when it keeps growing for %s.' % s.config['for'].batchEtaGrowing,
    's',
    [p.target('max by (batch_id) (batch:anchorbrowser_batch_eta_seconds:rate5m{%(batch)s})' % s, '{{batch_id}}')],
    w=24
  ),
])
