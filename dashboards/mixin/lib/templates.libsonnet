// Pieces of alert annotations that look up other series of the alert's batch or exporter with
// Prometheus' template `query`, so that descriptions carry the numbers that matter rather
// than the alert's own value. Built by concatenation: jsonnet's % has no %q.
local batchMatch = 'job=%q, instance=%q, batch_id=%q';
local batchArgs = ' $labels.job $labels.instance $labels.batch_id';
local instanceMatch = 'job=%q, instance=%q';
local instanceArgs = ' $labels.job $labels.instance';

local lookup(selector, args, print, otherwise) =
  '{{ with printf `' + selector + '`' + args + ' | query }}' + print + '{{ else }}' + otherwise + '{{ end }}';

{
  // The value of `metric{<matchers>, <the batch's job, instance and batch_id>}`, rounded.
  batchCount(metric, matchers='', otherwise='?')::
    lookup(metric + '{' + (if matchers == '' then '' else matchers + ', ') + batchMatch + '}', batchArgs,
           '{{ . | first | value | printf "%.0f" }}', otherwise),

  // Sessions of the batch whose error falls in the alert's class
  // (anchorbrowser_batch_session_errors{class=$labels.class}), rounded.
  batchClassErrors(otherwise='?')::
    lookup('anchorbrowser_batch_session_errors{class=%q, ' + batchMatch + '}', ' $labels.class' + batchArgs,
           '{{ . | first | value | printf "%.0f" }}', otherwise),

  // Sessions of the batch that have ended (completed, failed or cancelled in sessions[]).
  batchSessionsEnded(otherwise='?')::
    lookup('sum(anchorbrowser_batch_sessions{status=~"completed|failed|cancelled", ' + batchMatch + '})', batchArgs,
           '{{ . | first | value | printf "%.0f" }}', otherwise),

  // The `reason` label of the batch's fault metric (anchorbrowser_batch_fetch_error, a state
  // set), or `otherwise` while it has none.
  batchFaultReason(otherwise)::
    lookup('anchorbrowser_batch_fetch_error{' + batchMatch + '} == 1', batchArgs,
           '{{ . | first | label "reason" }}', otherwise),

  // The HTTP status of the API's last answer for the batch, as " (HTTP 404)"; nothing when
  // no answer was read (timeout, connection, TLS).
  batchHttpStatus()::
    lookup('anchorbrowser_batch_last_http_status{' + batchMatch + '}', batchArgs,
           ' (HTTP {{ . | first | value }})', ''),

  // The exporter's down batches counted by reason: " connection (2 batches)", for an alert
  // labelled with job and the exporter label `ex`.
  exporterFaultReasons(ex)::
    '{{- range printf `count by (reason) (anchorbrowser_batch_fetch_error{job=%q, ' + ex + '=%q} == 1)` $labels.job $labels.' + ex +
    ' | query }} {{ .Labels.reason }} ({{ .Value }} batches){{ else }} unknown{{ end }}',

  // The value of an exporter-wide series of the alert's instance, formatted by `print`
  // (a template pipeline stage such as 'humanizeDuration').
  instanceValue(metric, print, otherwise='?')::
    lookup(metric + '{' + instanceMatch + '}', instanceArgs,
           '{{ . | first | value | ' + print + ' }}', otherwise),
}
