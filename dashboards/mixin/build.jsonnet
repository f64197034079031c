// The mixin's output, one field per file dashboards/ ships; render.py writes them (make
// mixin): the dashboard as JSON, the rule files as YAML. (jsonnet's own std.manifestYamlDoc
// takes seconds per file in jsonnet 0.18, its native JSON output milliseconds.)
//   jsonnet build.jsonnet [--tla-code 'config={...}'] [--tla-str forAll=1s]
// `forAll` sets every alert's `for` (tests use short ones); `config` is merged into _config
// after it (`{'for'+: {batchFailed: '1m'}}` changes one duration).
function(config={}, forAll='')
  local base = import 'mixin.libsonnet';
  local short = if forAll == '' then base else base {
    _config+:: { 'for': std.mapWithKey(function(_, _d) forAll, super['for']) },
  };
  local mixin = short { _config+:: config };
  {
    'alerts.yml': mixin.prometheusAlerts,
    'rules.yml': mixin.prometheusRules,
  } + mixin.grafanaDashboards
