// The dashboard: variables, alert annotations, and the rows of rows.libsonnet laid out.
local layout = import '../lib/layout.libsonnet';
local p = import '../lib/panels.libsonnet';
local rows = import 'rows.libsonnet';

function(c)
  local ex = c.exporterLabel;
  local jobSel = '%s, job=~"$job"' % c.selector;
  local s = {
    config: c,
    exporterLabel: ex,
    exporter: '%s, %s=~"$%s"' % [jobSel, ex, ex],
    batch: self.exporter + ', batch_id=~"$batch_id"',
  };
  local queryVar(name, label, description, query, multi) = {
    name: name,
    label: label,
    type: 'query',
    description: description,
    datasource: p.datasource,
    definition: query,
    query: { qryType: 1, query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2,
    sort: 1,
    multi: multi,
    includeAll: multi,
    current: {},
    options: [],
    hide: 0,
    regex: '',
    skipUrlSync: false,
  } + (if multi then { allValue: '.+' } else {});
  {
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '10.0.0' },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
    ] + [
      { type: 'panel', id: t[0], name: t[1], version: '' }
      for t in [['stat', 'Stat'], ['bargauge', 'Bar gauge'], ['timeseries', 'Time series'], ['state-timeline', 'State timeline'], ['table', 'Table']]
    ],
    annotations: { list: [
      {
        builtIn: 1,
        datasource: { type: 'grafana', uid: '-- Grafana --' },
        enable: true,
        hide: true,
        iconColor: 'rgba(0, 211, 255, 1)',
        name: 'Annotations & Alerts',
        type: 'dashboard',
      },
      {
        datasource: p.datasource,
        enable: true,
        hide: false,
        iconColor: 'red',
        name: 'AnchorBrowser alerts',
        expr: 'ALERTS{%s, alertname=~"AnchorBrowser.*", alertstate="firing"}' % s.exporter,
        step: '60s',
        titleFormat: '{{alertname}}',
        textFormat: '{{batch_id}} {{%s}} ({{severity}})' % ex,
        tagKeys: 'severity',
        useValueForTime: false,
      },
    ] },
    description: "Anchor Browser batch sessions as anchorbrowser_exporter exports them: status, progress, failures, retries and timing per batch, and the exporter's own health. Needs the recording rules of dashboards/rules.yml. Generated from dashboards/mixin.",
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: [],
    panels: layout.panels([r(s) for r in rows]),
    refresh: c.dashboard.refresh,
    schemaVersion: 39,
    tags: c.dashboard.tags,
    templating: { list: [
      {
        name: 'datasource',
        label: 'Data source',
        type: 'datasource',
        description: 'The Prometheus that scrapes anchorbrowser_exporter and loads dashboards/rules.yml',
        query: 'prometheus',
        current: {},
        options: [],
        hide: 0,
        refresh: 1,
        regex: '',
        includeAll: false,
        multi: false,
        skipUrlSync: false,
      },
      queryVar('job', 'Job', 'Prometheus jobs that scrape the exporter',
               'label_values(anchorbrowser_batch_up{%s}, job)' % c.selector, true),
      queryVar(ex, 'Exporter', 'Exporters of the jobs (label %s)' % ex,
               'label_values(anchorbrowser_batch_up{%s}, %s)' % [jobSel, ex], true),
      queryVar('batch_id', 'Batch', 'Batches to show',
               'label_values(anchorbrowser_batch_up{%s}, batch_id)' % s.exporter, true),
      // Not a query: the address of the exporter's pages (/batches/<id>) as the operator's
      // browser reaches it, which Prometheus does not know.
      {
        name: 'exporter_url',
        label: 'Exporter URL',
        type: 'textbox',
        description: "The exporter's address as your browser reaches it (scheme, host and port); the Batch summary table links each batch to its page there, /batches/<batch_id>",
        query: c.exporterUrl,
        current: { selected: false, text: c.exporterUrl, value: c.exporterUrl },
        options: [{ selected: true, text: c.exporterUrl, value: c.exporterUrl }],
        hide: 0,
        skipUrlSync: false,
      },
    ] },
    time: { from: c.dashboard.timeFrom, to: 'now' },
    timepicker: {},
    timezone: '',
    title: c.dashboard.title,
    uid: c.dashboard.uid,
    version: 1,
    weekStart: '',
  }
