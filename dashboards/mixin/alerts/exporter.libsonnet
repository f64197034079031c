// Exporter-wide alerts: one alert per exporter, not per batch.
local duration = import '../lib/duration.libsonnet';

function(c) {
  name: 'anchorbrowser.exporter',
  rules: [
    {
      // Every batch fetch of an exporter fails: the API is down, unreachable, or rejects us.
      alert: 'AnchorBrowserApiUnreachable',
      expr: 'job_instance:anchorbrowser_batch_up:max{%(selector)s} == 0' % c,
      'for': c['for'].apiUnreachable,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'anchorbrowser_exporter {{ $labels.instance }} cannot reach the Anchor Browser API',
        description: |||
          Every batch fetch of {{ $labels.instance }} (job {{ $labels.job }}) has failed for
          %s (highest anchorbrowser_batch_up is {{ $value }}). See
          anchorbrowser_exporter_fetch_errors_total by reason and the exporter's log.
        ||| % duration.text(c['for'].apiUnreachable),
      },
    },
    {
      // The API answers 401/403: the key is wrong, revoked or lacks access.
      alert: 'AnchorBrowserApiKeyRejected',
      expr: 'job_instance_reason:anchorbrowser_exporter_fetch_errors:rate5m{%(selector)s, reason="unauthorized"} > 0' % c,
      'for': c['for'].apiKeyRejected,
      labels: { severity: 'critical' },
      annotations: {
        summary: 'The Anchor Browser API rejects the API key of {{ $labels.instance }}',
        description: |||
          Batch fetches of {{ $labels.instance }} (job {{ $labels.job }}) fail as unauthorized
          at {{ printf "%.3g" $value }} per second over the last 5 minutes: the API key is
          wrong, revoked or lacks access. Check the exporter's api_key_env / api_key_file.
        |||,
      },
    },
    {
      // The API answers 429: fetches are refused for a while.
      alert: 'AnchorBrowserApiRateLimited',
      expr: 'job_instance_reason:anchorbrowser_exporter_fetch_errors:rate5m{%(selector)s, reason="rate_limited"} > 0' % c,
      'for': c['for'].apiRateLimited,
      labels: { severity: 'warning' },
      annotations: {
        summary: 'The Anchor Browser API rate-limits {{ $labels.instance }}',
        description: |||
          Batch fetches of {{ $labels.instance }} (job {{ $labels.job }}) have been rate
          limited for %s, at {{ printf "%%.3g" $value }} per second: batches go missing
          from scrapes. Scrape less often, export fewer batches, or lower the exporter's API
          request rate.
        ||| % duration.text(c['for'].apiRateLimited),
      },
    },
  ],
}
