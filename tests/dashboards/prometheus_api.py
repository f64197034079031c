"""Prometheus' HTTP API as the end-to-end checks use it, and the checks of Prometheus' own
view of the scrape (target health, rule health, rejected samples). Standard library only."""
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

# Series Prometheus writes itself, which a dashboard may use beside the exporter's metrics.
PROMETHEUS_SERIES = {"up", "scrape_duration_seconds", "scrape_samples_scraped",
                     "scrape_samples_post_metric_relabeling", "scrape_series_added",
                     "ALERTS", "ALERTS_FOR_STATE"}
# Prometheus' own counters of samples it rejected while scraping (all must stay 0).
SCRAPE_PROBLEM_COUNTERS = re.compile(
    r"^(prometheus_target_scrapes_(exceeded_body_size_limit|exceeded_sample_limit|"
    r"exemplar_out_of_order|sample_duplicate_timestamp|sample_out_of_bounds|"
    r"sample_out_of_order)_total|prometheus_target_scrape_pool_exceeded_\w+_total|"
    r"prometheus_rule_evaluation_failures_total)(\{[^}]*\})?\s+(\S+)")


class Unreachable(Exception):
    pass


class Prometheus:
    def __init__(self, url, timeout=10):
        self.url = url.rstrip("/")
        self.timeout = timeout

    def _call(self, path, params, post=False):
        data = urllib.parse.urlencode(params, doseq=True)
        if post:
            req = urllib.request.Request(self.url + path, data=data.encode(), method="POST")
        else:
            req = urllib.request.Request(self.url + path + ("?" + data if data else ""))
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                return json.load(resp)
        except urllib.error.HTTPError as e:  # Prometheus explains bad queries in JSON
            try:
                return json.load(e)
            except ValueError:
                raise Unreachable("%s: HTTP %d" % (path, e.code))
        except (urllib.error.URLError, OSError) as e:
            raise Unreachable("%s: %s" % (self.url + path, e))

    def query(self, expr):
        """(result list, None) or (None, error text)."""
        body = self._call("/api/v1/query", {"query": expr}, post=True)
        if body.get("status") != "success":
            return None, "%s: %s" % (body.get("errorType"), body.get("error"))
        result = body["data"]["result"]
        if body["data"]["resultType"] == "scalar":
            result = [result]
        return result, None

    def label_values(self, label, match=None):
        params = {"match[]": [match]} if match else {}
        body = self._call("/api/v1/label/%s/values" % urllib.parse.quote(label), params)
        if body.get("status") != "success":
            return None, "%s: %s" % (body.get("errorType"), body.get("error"))
        return body["data"], None

    def get(self, path):
        return self._call(path, {})

    def text(self, path):
        try:
            with urllib.request.urlopen(self.url + path, timeout=self.timeout) as resp:
                return resp.read().decode()
        except (urllib.error.URLError, OSError) as e:
            raise Unreachable("%s: %s" % (self.url + path, e))


def exported_names(exporter_url, timeout=10):
    """Metric names in the exporter's exposition, from its sample lines."""
    try:
        with urllib.request.urlopen(exporter_url, timeout=timeout) as resp:
            text = resp.read().decode()
    except (urllib.error.URLError, OSError) as e:
        raise Unreachable("%s: %s" % (exporter_url, e))
    names = set()
    for line in text.splitlines():
        m = re.match(r"([A-Za-z_:][A-Za-z0-9_:]*)[{ ]", line)
        if m:
            names.add(m.group(1))
    return names


def wait_until_ready(prom, job, records, min_scrapes, seconds):
    """Polls until Prometheus has `min_scrapes` scrapes of `job` and every recording rule
    has produced series; returns what is still missing ([] when ready)."""
    deadline = time.monotonic() + seconds
    while True:
        missing = []
        result, err = prom.query('count_over_time(up{job="%s"}[5m]) >= %d' % (job, min_scrapes))
        if err or not result:
            missing.append("%d scrapes of job %s" % (min_scrapes, job))
        for r in sorted(records):
            result, err = prom.query(r)
            if err or not result:
                missing.append("series of recording rule " + r)
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(0.1)


def check_health(prom, job, rule_count):
    failures = []
    targets = [t for t in prom.get("/api/v1/targets")["data"]["activeTargets"]
               if t["labels"].get("job") == job]
    if not targets:
        failures.append("Prometheus has no active target in job %s" % job)
    for t in targets:
        if t["health"] != "up" or t["lastError"]:
            failures.append("target %s is %s: %s" % (t["scrapeUrl"], t["health"], t["lastError"]))
    result, err = prom.query('min_over_time(up{job="%s"}[1h])' % job)
    if err or not result or any(float(r["value"][1]) != 1 for r in result):
        failures.append("a scrape of job %s failed during the run: %s" % (job, err or result))
    loaded = 0
    for group in prom.get("/api/v1/rules")["data"]["groups"]:
        for rule in group["rules"]:
            loaded += 1
            if rule["health"] != "ok" or rule.get("lastError"):
                failures.append("rule %s in group %s: health %s %s"
                                % (rule["name"], group["name"], rule["health"],
                                   rule.get("lastError", "")))
    if loaded != rule_count:
        failures.append("Prometheus loaded %d rules, the rule files hold %d" % (loaded, rule_count))
    for line in prom.text("/metrics").splitlines():
        m = SCRAPE_PROBLEM_COUNTERS.match(line)
        if m and float(m.group(4)) != 0:
            failures.append("Prometheus counted problems: " + line)
    return failures
