// Row "Batches": progress, outcome and timing per batch (see overview.libsonnet for `s`).
local p = import '../lib/panels.libsonnet';

local statusValues = [['other', 'purple'], ['pending', 'blue'], ['processing', 'yellow'], ['completed', 'green'], ['failed', 'red'], ['cancelled', 'text']];
local phaseValues = [['none', 'text'], ['queued', 'blue'], ['provisioning', 'purple'], ['configuring', 'orange'], ['ready', 'green']];

// sum by (batch_id) (metric{label="v1"} * 1 or metric{label="v2"} * 2 ...): one number per state.
local stateNumber(s, metric, label, values) =
  'sum by (batch_id) (\n' + std.join('\n  or ', [
    '%s{%s, %s="%s"} * %d' % [metric, s.batch, label, values[i][0], i]
    for i in std.range(1, std.length(values) - 1)
  ]) + '\n)';

function(s) p.row('Batches', 'Progress, outcome and timing of each selected batch.', [
  p.bargauge(
    'Progress',
    'Progress of each batch as the API reports it (progress.percentage), from anchorbrowser_batch_progress_ratio.',
    'percentunit',
    [p.instant('anchorbrowser_batch_progress_ratio{%(batch)s}' % s, '{{batch_id}}')],
    displayMode='gradient'
  ) + { fieldConfig+: { defaults+: {
    max: 1,
    decimals: 1,
    thresholds: p.thresholds([{ color: 'blue', value: null }, { color: 'green', value: 1 }]),
  } } },
  p.timeseries(
    'Requests by state',
    'Session requests of each batch by state (completed, failed, processing, pending), as the API counts them (anchorbrowser_batch_requests).',
    'short',
    [p.target('sum by (batch_id, state) (anchorbrowser_batch_requests{%(batch)s})' % s, '{{batch_id}} {{state}}')],
    w=16
  ),
  p.timeseries(
    'Failure ratio',
    'Share of the finished requests of each batch that failed (recording rule batch:anchorbrowser_batch_requests_failed:ratio; 0 while none has finished). The red line is the threshold of the AnchorBrowserBatchHighFailureRatio alert.',
    'percentunit',
    [p.target('batch:anchorbrowser_batch_requests_failed:ratio{%(batch)s}' % s, '{{batch_id}}')],
    w=12
  ) + { fieldConfig+: { defaults+: {
    max: 1,
    thresholds: p.thresholds([{ color: 'green', value: null }, { color: 'red', value: s.config.failureRatioThreshold }]),
    custom+: { thresholdsStyle: { mode: 'line+area' } },
  } } },
  p.timeseries(
    'Retries and retried sessions',
    'Per batch: the sum of retry_count over its sessions (anchorbrowser_batch_session_retries) and how many sessions retried at least once (anchorbrowser_batch_retried_sessions).',
    'short',
    [
      p.target('sum by (batch_id) (anchorbrowser_batch_session_retries{%(batch)s})' % s, '{{batch_id}} retries'),
      p.target('sum by (batch_id) (anchorbrowser_batch_retried_sessions{%(batch)s})' % s, '{{batch_id}} retried sessions'),
    ],
    w=12
  ),
  p.stateTimeline(
    'Status',
    'Status of each batch over time (anchorbrowser_batch_status). "other" is a status the exporter does not know; it is exported as its own status label value.',
    [p.target(stateNumber(s, 'anchorbrowser_batch_status', 'status', statusValues), '{{batch_id}}')],
    statusValues
  ),
  p.stateTimeline(
    'Phase',
    'Progress phase of each batch over time (anchorbrowser_batch_phase): queued, provisioning, configuring, ready. "none" while the API reports no phase.',
    [p.target(stateNumber(s, 'anchorbrowser_batch_phase', 'phase', phaseValues), '{{batch_id}}')],
    phaseValues
  ),
  p.stateTimeline(
    'Batch error',
    'Whether each batch reports a non-empty error field (anchorbrowser_batch_error; the text itself is only in the exporter\'s debug log).',
    [p.target('max by (batch_id) (anchorbrowser_batch_error{%(batch)s})' % s, '{{batch_id}}')],
    [['no error', 'green'], ['error', 'red']],
    w=24, h=5
  ),
  p.timeseries(
    'Retries added in 10 minutes',
    "Session retries each batch added over the last 10 minutes (recording rule batch:anchorbrowser_batch_session_retries:delta10m). AnchorBrowserBatchRetriesSpiking fires above its thresholds (dashboards/mixin/config.libsonnet).",
    'short',
    [p.target('batch:anchorbrowser_batch_session_retries:delta10m{%(batch)s}' % s, '{{batch_id}}')],
  ),
  p.bargauge(
    'Time since creation',
    'How long ago each batch was created (now minus anchorbrowser_batch_created_timestamp_seconds).',
    's',
    [p.instant('time() - anchorbrowser_batch_created_timestamp_seconds{%(batch)s}' % s, '{{batch_id}}')],
  ),
  p.bargauge(
    'Time to completion',
    'How long each finished batch took, from creation to its completion time (anchorbrowser_batch_completion_timestamp_seconds minus anchorbrowser_batch_created_timestamp_seconds). Batches still running are not shown.',
    's',
    [p.instant('anchorbrowser_batch_completion_timestamp_seconds{%(batch)s} - anchorbrowser_batch_created_timestamp_seconds{%(batch)s}' % s, '{{batch_id}}')],
  ),
])
