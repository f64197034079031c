// Row "Overview". s.batch / s.exporter: the label matchers of a per-batch / per-exporter
// selector (the config's selector plus the dashboard variables); s.exporterLabel names the
// exporter label.
local p = import '../lib/panels.libsonnet';

function(s) p.row('Overview', 'The selected batches at a glance.', [
  p.stat(
    'Batches by status',
    'Number of selected batches in each status (anchorbrowser_batch_status is a state set: 1 for the current status). Statuses with no batch show 0.',
    'none',
    [p.instant('sum by (status) (anchorbrowser_batch_status{%(batch)s})' % s, '{{status}}')],
    w=8, textMode='value_and_name', colorMode='none'
  ),
  p.stat(
    'Active batches',
    'Selected batches that are pending or processing (recording rule batch:anchorbrowser_batch_status_active:sum from dashboards/rules.yml).',
    'none',
    [p.instant('sum(batch:anchorbrowser_batch_status_active:sum{%(batch)s})' % s, 'active')],
  ),
  p.stat(
    'Sessions in flight',
    'Sessions of the selected batches that are processing right now, from the batches\' session lists (anchorbrowser_batch_sessions{status="processing"}).',
    'none',
    [p.instant('sum(anchorbrowser_batch_sessions{%(batch)s, status="processing"})' % s, 'processing')],
  ),
  p.stat(
    'Exporter up',
    "Whether Prometheus' last scrape of each selected exporter succeeded (the up series Prometheus writes for every target).",
    'none',
    [p.instant('up{%(exporter)s}' % s, '{{%(exporterLabel)s}}' % s)],
    colorMode='background'
  ) + {
    fieldConfig+: { defaults+: {
      thresholds: p.thresholds([{ color: 'red', value: null }, { color: 'green', value: 1 }]),
      mappings: [{ type: 'value', options: {
        '0': { text: 'DOWN', color: 'red', index: 0 },
        '1': { text: 'UP', color: 'green', index: 1 },
      } }],
    } },
  },
  p.stat(
    'Batches fetched',
    'Share of the selected batches whose last fetch from the Anchor Browser API succeeded (anchorbrowser_batch_up). Below 100%: see Fetch errors by reason.',
    'percentunit',
    [p.instant('sum(anchorbrowser_batch_up{%(batch)s}) / count(anchorbrowser_batch_up{%(batch)s})' % s, 'fetched')],
  ) + {
    fieldConfig+: { defaults+: {
      min: 0,
      max: 1,
      thresholds: p.thresholds([{ color: 'red', value: null }, { color: 'orange', value: 0.5 }, { color: 'green', value: 1 }]),
    } },
  },
  p.tablePanel(
    'Batch summary',
    "One line per selected batch: its status, progress, failed and total requests, age, whether the batch reports an error, whether its last fetch succeeded, and for a batch that is down the reason (anchorbrowser_batch_fetch_error). Click a batch id for the exporter's page of the batch (${exporter_url}/batches/<batch_id>: error classes, most frequent error messages, longest-running and most-retried sessions); set the Exporter URL variable to the exporter's address as your browser reaches it.",
    'none',
    [
      p.table('max by (batch_id, status) (anchorbrowser_batch_status{%(batch)s} == 1)' % s),
      p.table('max by (batch_id) (anchorbrowser_batch_progress_ratio{%(batch)s})' % s),
      p.table('max by (batch_id) (anchorbrowser_batch_requests{%(batch)s, state="failed"})' % s),
      p.table('max by (batch_id) (anchorbrowser_batch_total_requests{%(batch)s})' % s),
      p.table('max by (batch_id) (time() - anchorbrowser_batch_created_timestamp_seconds{%(batch)s})' % s),
      p.table('max by (batch_id) (anchorbrowser_batch_error{%(batch)s})' % s),
      p.table('max by (batch_id) (anchorbrowser_batch_up{%(batch)s})' % s),
      p.table('max by (batch_id, reason) (anchorbrowser_batch_fetch_error{%(batch)s} == 1)' % s),
    ],
    w=24, h=8
  ) + p.columnUnits({ progress: 'percentunit', age: 's' }) + {
    fieldConfig+: { overrides+: [{
      matcher: { id: 'byName', options: 'batch_id' },
      properties: [{ id: 'links', value: [{
        title: 'Batch page on the exporter',
        url: '${exporter_url}/batches/${__data.fields.batch_id}',
        targetBlank: true,
      }] }],
    }] },
    transformations: [
      { id: 'merge', options: {} },
      { id: 'organize', options: {
        excludeByName: { Time: true, 'Value #A': true, 'Value #H': true },
        indexByName: { batch_id: 0, status: 1, reason: 9 },
        renameByName: {
          'Value #B': 'progress',
          'Value #C': 'failed',
          'Value #D': 'total',
          'Value #E': 'age',
          'Value #F': 'error',
          'Value #G': 'fetched',
        },
      } },
    ],
  },
])
