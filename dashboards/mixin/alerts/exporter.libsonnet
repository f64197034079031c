// Exporter-wide alerts: one alert per exporter (job and exporter label), not per batch.
local duration = import '../lib/duration.libsonnet';
local t = import '../lib/templates.libsonnet';

function(c) {
  local ex = c.exporterLabel,
  local who = '{{ $labels.%s }} (job {{ $labels.job }})' % ex,
  name: 'anchorbrowser.exporter',
  rules: [
    {
      // Prometheus cannot scrape the exporter: every per-batch alert would just resolve.
      alert: 'AnchorBrowserExporterDown',
      expr: 'max by (job, %(exporterLabel)s) (up{%(selector)s}) == 0' % c,
      'for': c['for'].exporterDown,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'anchorbrowser_exporter %s is down' % who,
        description: |||
          Prometheus has failed to scrape %s for %s (up is 0 on every target of it): no batch
          of it is monitored. Check that the process runs and listens, and the target's
          last error on Prometheus' Targets page.
        ||| % [who, duration.text(c['for'].exporterDown)],
      },
    },
    {
      // No target of the exporter at all: a removed job, a broken service discovery.
      alert: 'AnchorBrowserExporterAbsent',
      expr: 'absent(up{%(selector)s})' % c,
      'for': c['for'].exporterAbsent,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'No anchorbrowser_exporter target is scraped',
        description: |||
          Prometheus has had no scrape target matching %s for %s: nothing watches the
          Anchor Browser batches. Check the scrape configuration and service discovery
          (ServiceMonitor labels, pod labels).
        ||| % [c.selector, duration.text(c['for'].exporterAbsent)],
      },
    },
    {
      // Every batch fetch of an exporter fails: the API is down, unreachable, or rejects us.
      // By exporter, not instance: with /probe one wrong batch id is one instance.
      alert: 'AnchorBrowserApiUnreachable',
      expr: 'job_exporter:anchorbrowser_batch_up:max{%(selector)s} == 0' % c,
      'for': c['for'].apiUnreachable,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'anchorbrowser_exporter %s cannot reach the Anchor Browser API' % who,
        description: |||
          Every batch fetch of %s has failed for %s. Reasons:%s. The exporter's log names
          the cause.
        ||| % [who, duration.text(c['for'].apiUnreachable), t.exporterFaultReasons(ex)],
      },
    },
    {
      // The API answers 401/403: the key is wrong, revoked or lacks access.
      alert: 'AnchorBrowserApiKeyRejected',
      expr: 'job_exporter_reason:anchorbrowser_exporter_fetch_errors:rate%(fetchErrorsRateWindow)s{%(selector)s, reason="unauthorized"} > 0' % c,
      'for': c['for'].apiKeyRejected,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'The Anchor Browser API rejects the API key of %s' % who,
        description: |||
          Batch fetches of %s fail as unauthorized (401/403) at
          {{ printf "%%.2g" $value }} per second over the last %s: the API key is
          wrong, revoked or lacks access. Check the key in the exporter's api_key_env /
          api_key_file (the Secret on Kubernetes).
        ||| % [who, duration.text(c.fetchErrorsRateWindow)],
      },
    },
    {
      // The API answers 429: fetches are refused for a while.
      alert: 'AnchorBrowserApiRateLimited',
      expr: 'job_exporter_reason:anchorbrowser_exporter_fetch_errors:rate%(fetchErrorsRateWindow)s{%(selector)s, reason="rate_limited"} > 0' % c,
      'for': c['for'].apiRateLimited,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'The Anchor Browser API rate-limits %s' % who,
        description: |||
          Batch fetches of %s have been rate limited (429) for %s, at
          {{ printf "%%.2g" $value }} per second: batches go missing from scrapes. Scrape
          less often, export fewer batches, or lower anchor.max_requests_per_second.
        ||| % [who, duration.text(c['for'].apiRateLimited)],
      },
    },
    {
      // A reload (SIGHUP, POST /-/reload) was rejected: the old configuration still runs.
      alert: 'AnchorBrowserConfigReloadFailed',
      expr: 'anchorbrowser_exporter_config_last_reload_successful{%(selector)s} == 0' % c,
      'for': c['for'].configReloadFailed,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'anchorbrowser_exporter {{ $labels.instance }} rejected its new configuration',
        description: |||
          The last configuration reload of {{ $labels.instance }} (job {{ $labels.job }})
          failed; it still runs the configuration it loaded at %s. The exporter's log says
          why (msg="error reloading config, keeping the running one").
        ||| % t.instanceValue('anchorbrowser_exporter_config_last_reload_success_timestamp_seconds', 'humanizeTimestamp'),
      },
    },
    {
      // Scrapes use most of the time they are allowed: slow API answers, too many batches.
      alert: 'AnchorBrowserScrapeNearTimeout',
      expr: |||
        anchorbrowser_exporter_scrape_duration_seconds{%(selector)s}
          > %(scrapeNearTimeoutShare)s * anchorbrowser_exporter_scrape_deadline_seconds{%(selector)s}
      ||| % c,
      'for': c['for'].scrapeNearTimeout,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'Scrapes of {{ $labels.instance }} come close to their timeout',
        description: |||
          A scrape of {{ $labels.instance }} (job {{ $labels.job }}) takes
          {{ $value | humanizeDuration }} of the %s it is allowed (more than %g%%), and has done so
          for %s: batches whose fetch is still running at the deadline are exported as down.
          Raise scrape_timeout, lower anchor.timeout, or export fewer batches per exporter.
        ||| % [t.instanceValue('anchorbrowser_exporter_scrape_deadline_seconds', 'humanizeDuration'), c.scrapeNearTimeoutShare * 100, duration.text(c['for'].scrapeNearTimeout)],
      },
    },
  ],
}
