// Small builders for Grafana panels (no grafonnet: Debian does not package it). A panel file
// lists panels as `panels.timeseries(title, description, unit, [targets], w, h)`; the
// dashboard assigns ids, refIds, data sources and grid positions (see layout.libsonnet).
local ds = { type: 'prometheus', uid: '${datasource}' };
local onlyGreen = { mode: 'absolute', steps: [{ color: 'green', value: null }] };
local reduceLast = { calcs: ['lastNotNull'], fields: '', values: false };

{
  datasource: ds,

  // A range query (graphs) and an instant one (stats, tables, bar gauges).
  target(expr, legend='__auto'):: { expr: expr, legendFormat: legend, range: true, instant: false },
  instant(expr, legend='__auto'):: { expr: expr, legendFormat: legend, range: false, instant: true },
  table(expr):: self.instant(expr) + { format: 'table' },

  thresholds(steps):: { mode: 'absolute', steps: steps },

  base(type, title, description, unit, targets, w, h):: {
    type: type,
    title: title,
    description: description,
    datasource: ds,
    w:: w,
    h:: h,
    targets: targets,
    fieldConfig: {
      defaults: { color: { mode: 'thresholds' }, thresholds: onlyGreen, mappings: [], unit: unit },
      overrides: [],
    },
  },

  stat(title, description, unit, targets, w=4, h=5, textMode='auto', colorMode='value')::
    self.base('stat', title, description, unit, targets, w, h) + {
      options: {
        reduceOptions: reduceLast,
        colorMode: colorMode,
        graphMode: 'none',
        justifyMode: 'auto',
        orientation: 'auto',
        textMode: textMode,
      },
    },

  timeseries(title, description, unit, targets, w=8, h=8)::
    self.base('timeseries', title, description, unit, targets, w, h) + {
      fieldConfig+: {
        defaults+: {
          color: { mode: 'palette-classic' },
          min: 0,
          custom: {
            drawStyle: 'line',
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: 'never',
            spanNulls: false,
            axisSoftMin: 0,
            stacking: { mode: 'none', group: 'A' },
          },
        },
      },
      options: {
        legend: { displayMode: 'table', placement: 'right', showLegend: true, calcs: ['lastNotNull'] },
        tooltip: { mode: 'multi', sort: 'desc' },
      },
    },

  bargauge(title, description, unit, targets, w=8, h=8, displayMode='basic')::
    self.base('bargauge', title, description, unit, targets, w, h) + {
      fieldConfig+: { defaults+: { min: 0 } },
      options: {
        reduceOptions: reduceLast,
        orientation: 'horizontal',
        displayMode: displayMode,
        showUnfilled: true,
        valueMode: 'color',
        namePlacement: 'left',
        minVizHeight: 10,
        minVizWidth: 0,
        sizing: 'auto',
      },
    },

  // values: [[text, color], ...] for the values 0, 1, 2, ...
  stateTimeline(title, description, targets, values, w=12, h=8)::
    self.base('state-timeline', title, description, 'none', targets, w, h) + {
      fieldConfig+: {
        defaults+: {
          mappings: [{
            type: 'value',
            options: {
              [std.toString(i)]: { text: values[i][0], color: values[i][1], index: i }
              for i in std.range(0, std.length(values) - 1)
            },
          }],
          custom: { fillOpacity: 80, lineWidth: 0 },
        },
      },
      options: {
        mergeValues: true,
        showValue: 'auto',
        alignValue: 'center',
        rowHeight: 0.8,
        legend: { displayMode: 'list', placement: 'bottom', showLegend: true },
        tooltip: { mode: 'single', sort: 'none' },
      },
    },

  // A heatmap of a histogram's buckets (targets in the heatmap format, legend {{le}}): the
  // buckets are already counts, so Grafana does not calculate its own. unit: of the y axis
  // (the bucket bounds); the cells are counts.
  heatmap(title, description, unit, targets, w=8, h=8)::
    self.base('heatmap', title, description, unit, targets, w, h) + {
      options: {
        calculate: false,
        cellGap: 1,
        color: { mode: 'scheme', scheme: 'Oranges', exponent: 0.5, fill: 'dark-orange', reverse: false, scale: 'exponential', steps: 64 },
        yAxis: { axisPlacement: 'left', unit: unit, reverse: false },
        rowsFrame: { layout: 'auto' },
        tooltip: { show: true, yHistogram: false },
        legend: { show: true },
        cellValues: { unit: 'short' },
      },
    },

  tablePanel(title, description, unit, targets, w=8, h=8)::
    self.base('table', title, description, unit, targets, w, h) + {
      options: { showHeader: true, cellHeight: 'sm', footer: { show: false } },
    },

  // Per-column units of a table: {column: unit}.
  columnUnits(units):: {
    fieldConfig+: {
      overrides+: [
        { matcher: { id: 'byName', options: k }, properties: [{ id: 'unit', value: units[k] }] }
        for k in std.objectFields(units)
      ],
    },
  },

  // A row and the panels below it.
  row(title, description, panels):: { title: title, description: description, panels: panels },
}
