// Renders the mixin into the files dashboards/ ships (make mixin):
//   jsonnet -S -m <dir> build.jsonnet [--tla-code 'config={...}']
// `config` overrides _config, e.g. short `for` durations for a test's rule files.
function(config={})
  local mixin = (import 'mixin.libsonnet') + { _config+:: config };
  local header = '# Generated from dashboards/mixin by `make mixin`: edit the mixin, not this file.\n';
  local yaml(v) = header + std.manifestYamlDoc(v, true, false) + '\n';
  {
    'alerts.yml': yaml(mixin.prometheusAlerts),
    'rules.yml': yaml(mixin.prometheusRules),
  } + {
    [name]: std.manifestJsonEx(mixin.grafanaDashboards[name], '  ') + '\n'
    for name in std.objectFields(mixin.grafanaDashboards)
  }
