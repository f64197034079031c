// anchorbrowser_exporter monitoring mixin (the monitoring-mixins layout): dashboards, alerts
// and recording rules from one source, tuned through _config (config.libsonnet).
//   local mixin = (import 'mixin.libsonnet') + { _config+:: { selector: 'job="anchor"' } };
//   mixin.prometheusAlerts, mixin.prometheusRules, mixin.grafanaDashboards
local alertGroups = import 'alerts/groups.libsonnet';
local dashboard = import 'dashboards/dashboard.libsonnet';
local ruleGroups = import 'rules/groups.libsonnet';

// Annotations are written as wrapped text blocks; Alertmanager gets them as one line each.
local oneLine(text) = std.join(' ', std.filter(function(l) l != '', std.split(text, '\n')));
// An expression ending in a newline is written as a YAML block, unquoted, as one would write it.
local block(expr) = if std.endsWith(expr, '\n') then expr else expr + '\n';
local tidyRule(rule) = rule + { expr: block(rule.expr) };
// runbook_url: the alert's section of docs/runbook.md (a heading named as the alert).
local tidyAlert(c, rule) = tidyRule(rule) + {
  annotations: { [k]: oneLine(rule.annotations[k]) for k in std.objectFields(rule.annotations) } + {
    runbook_url: '%s#%s' % [c.runbookUrl, std.asciiLower(rule.alert)],
  },
};

(import 'config.libsonnet') + {
  prometheusAlerts+:: {
    groups+: [g { rules: [tidyAlert($._config, r) for r in super.rules] } for g in [f($._config) for f in alertGroups]],
  },
  prometheusRules+:: {
    groups+: [g { rules: [tidyRule(r) for r in super.rules] } for g in [f($._config) for f in ruleGroups]],
  },
  grafanaDashboards+:: {
    'anchorbrowser-batches.json': dashboard($._config),
  },
}
