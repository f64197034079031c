// Renders the mixin into the files dashboards/ ships (make mixin):
//   jsonnet -S -m <dir> build.jsonnet [--tla-code 'config={...}'] [--tla-str forAll=1s]
// `config` is merged into _config (`{'for'+: {batchFailed: '1m'}}` changes one duration);
// `forAll` sets every alert's `for` (tests use short ones).
function(config={}, forAll='')
  local base = (import 'mixin.libsonnet') + { _config+:: config };
  local mixin = if forAll == '' then base else base {
    _config+:: { 'for': std.mapWithKey(function(_, _d) forAll, super['for']) },
  };
  local header = '# Generated from dashboards/mixin by `make mixin`: edit the mixin, not this file.\n';
  local yaml(v) = header + std.manifestYamlDoc(v, true, false) + '\n';
  {
    'alerts.yml': yaml(mixin.prometheusAlerts),
    'rules.yml': yaml(mixin.prometheusRules),
  } + {
    [name]: std.manifestJsonEx(mixin.grafanaDashboards[name], '  ') + '\n'
    for name in std.objectFields(mixin.grafanaDashboards)
  }
