// Row "Exporter health": the exporters themselves and their requests to the API (see
// overview.libsonnet for `s`).
local p = import '../lib/panels.libsonnet';

function(s) p.row('Exporter health', 'How the selected exporters and their requests to the Anchor Browser API fare.', [
  p.timeseries(
    'Scrape duration',
    "Time the exporter took to answer a scrape (anchorbrowser_exporter_scrape_duration_seconds) and the scrape time Prometheus measured (scrape_duration_seconds).",
    's',
    [
      p.target('anchorbrowser_exporter_scrape_duration_seconds{%(exporter)s}' % s, '{{%(exporterLabel)s}} exporter' % s),
      p.target('scrape_duration_seconds{%(exporter)s}' % s, '{{%(exporterLabel)s}} Prometheus' % s),
    ],
  ),
  p.timeseries(
    'API requests by code',
    'Requests the exporters sent to the Anchor Browser API per second, by HTTP status code of the answer (anchorbrowser_exporter_api_requests_total).',
    'reqps',
    [p.target('sum by (code) (rate(anchorbrowser_exporter_api_requests_total{%(exporter)s}[$__rate_interval]))' % s, '{{code}}')],
  ),
  p.timeseries(
    'Fetch errors by reason',
    'Batch fetches per second that produced no data, by reason: timeout, connection, tls, unauthorized, not_found, rate_limited, server_error, client_error, invalid_response, too_large, redirect (anchorbrowser_exporter_fetch_errors_total).',
    'reqps',
    [p.target('sum by (reason) (rate(anchorbrowser_exporter_fetch_errors_total{%(exporter)s}[$__rate_interval]))' % s, '{{reason}}')],
  ),
  p.timeseries(
    'Fetch duration per batch',
    'Time the last API request for each batch took (anchorbrowser_batch_fetch_duration_seconds).',
    's',
    [p.target('anchorbrowser_batch_fetch_duration_seconds{%(batch)s}' % s, '{{batch_id}}')],
  ),
  p.timeseries(
    'Cache hits',
    "Batch answers served per second from the exporter's cache instead of a new API request (anchorbrowser_exporter_cache_hits_total).",
    'ops',
    [p.target('sum by (%(exporterLabel)s) (rate(anchorbrowser_exporter_cache_hits_total{%(exporter)s}[$__rate_interval]))' % s, '{{%(exporterLabel)s}}' % s)],
  ),
  p.stat(
    'Fetch errors in time range',
    'Batch fetches that failed during the dashboard\'s time range, all reasons together (increase of anchorbrowser_exporter_fetch_errors_total).',
    'short',
    [p.instant('sum(increase(anchorbrowser_exporter_fetch_errors_total{%(exporter)s}[$__range]))' % s, 'errors')],
    h=4
  ) + { fieldConfig+: { defaults+: {
    decimals: 0,
    thresholds: p.thresholds([{ color: 'green', value: null }, { color: 'orange', value: 1 }]),
  } } },
  p.stat(
    'Batches exported',
    'Batches each exporter tracks, by where they come from: configured in its config file or discovered through the list endpoint (anchorbrowser_exporter_batches).',
    'none',
    [p.instant('sum by (source) (anchorbrowser_exporter_batches{%(exporter)s})' % s, '{{source}}')],
    h=4, textMode='value_and_name', colorMode='none'
  ),
  p.tablePanel(
    'Exporter build',
    'Version and revision of each selected exporter (anchorbrowser_exporter_build_info).',
    'none',
    [p.table('anchorbrowser_exporter_build_info{%(exporter)s}' % s)],
    w=8, h=4
  ) + { transformations: [{ id: 'organize', options: {
    excludeByName: { Time: true, Value: true, __name__: true, job: true },
    indexByName: { [s.exporterLabel]: 0, version: 1, revision: 2 },
    renameByName: {},
  } }] },
  p.stat(
    'Config reload',
    'Whether the last configuration reload (SIGHUP or POST /-/reload) of each exporter succeeded (anchorbrowser_exporter_config_last_reload_successful); a failed reload keeps the previous configuration.',
    'none',
    [p.instant('anchorbrowser_exporter_config_last_reload_successful{%(exporter)s}' % s, '{{%(exporterLabel)s}}' % s)],
    colorMode='background'
  ) + { fieldConfig+: { defaults+: {
    thresholds: p.thresholds([{ color: 'red', value: null }, { color: 'green', value: 1 }]),
    mappings: [{ type: 'value', options: {
      '0': { text: 'FAILED', color: 'red', index: 0 },
      '1': { text: 'OK', color: 'green', index: 1 },
    } }],
  } } },
  p.stat(
    'Since last good config',
    'Time since each exporter last loaded its configuration successfully (anchorbrowser_exporter_config_last_reload_success_timestamp_seconds): the start or the last good reload.',
    's',
    [p.instant('time() - anchorbrowser_exporter_config_last_reload_success_timestamp_seconds{%(exporter)s}' % s, '{{%(exporterLabel)s}}' % s)],
  ),
  p.timeseries(
    'Discovery',
    'Batches found through the list endpoint (anchorbrowser_exporter_batches{source="discovered"}) and whether discovery.max_batches cut the list (anchorbrowser_exporter_discovery_truncated, 1 when cut). Failed list requests are counted in anchorbrowser_exporter_discovery_errors_total. Empty without discovery.',
    'short',
    [
      p.target('sum by (%(exporterLabel)s) (anchorbrowser_exporter_batches{%(exporter)s, source="discovered"})' % s, '{{%(exporterLabel)s}} discovered' % s),
      p.target('max by (%(exporterLabel)s) (anchorbrowser_exporter_discovery_truncated{%(exporter)s})' % s, '{{%(exporterLabel)s}} truncated' % s),
    ],
  ),
  p.timeseries(
    'Exporter CPU',
    "CPU the exporter process uses, in cores (rate of process_cpu_seconds_total). Served on /metrics only, not on /probe.",
    'percentunit',
    [p.target('rate(process_cpu_seconds_total{%(exporter)s}[$__rate_interval])' % s, '{{%(exporterLabel)s}}' % s)],
  ),
  p.timeseries(
    'Exporter memory',
    'Resident memory of the exporter process (process_resident_memory_bytes). Served on /metrics only, not on /probe.',
    'bytes',
    [p.target('process_resident_memory_bytes{%(exporter)s}' % s, '{{%(exporterLabel)s}}' % s)],
  ),
  p.tablePanel(
    'Batches down, with reason',
    "Batches whose last fetch failed: the reason (anchorbrowser_batch_fetch_error) and the HTTP status of the API's last answer (anchorbrowser_batch_last_http_status; none for a timeout, connection or TLS failure). /probe?target=<batch_id>&debug=true on the exporter shows the request and the answer.",
    'none',
    [p.table(|||
      max by (job, %(exporterLabel)s, batch_id, reason) (anchorbrowser_batch_fetch_error{%(batch)s} == 1)
        * on (job, %(exporterLabel)s, batch_id) group_left ()
      max by (job, %(exporterLabel)s, batch_id) (anchorbrowser_batch_last_http_status{%(batch)s})
      or
      max by (job, %(exporterLabel)s, batch_id, reason) (anchorbrowser_batch_fetch_error{%(batch)s} == 1) * 0
    ||| % s)],
    w=24, h=6
  ) + {
    fieldConfig+: { defaults+: { mappings: [{ type: 'value', options: { '0': { text: 'none' } } }] } },
    transformations: [{ id: 'organize', options: {
      excludeByName: { Time: true, job: true },
      indexByName: { [s.exporterLabel]: 0, batch_id: 1, reason: 2, Value: 3 },
      renameByName: { Value: 'HTTP status' },
    } }],
  },
])
