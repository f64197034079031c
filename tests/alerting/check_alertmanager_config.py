#!/usr/bin/env python3
"""Static checks of the example Alertmanager config, dashboards/alertmanager.yml, with the real
amtool (Debian prometheus-alertmanager). Usage: check_alertmanager_config.py <dashboards dir>.

- `amtool check-config`: the syntax;
- `amtool config routes test --verify.receivers`: every alert of alerts.yml, with its labels,
  reaches the receiver of its severity (critical: pager, warning: tickets, info: chat), and a
  wrong expectation is reported as such (the check can fail);
- every inhibit rule names alerts that exist, equals on `exporter`, and each inhibiting
  alert's `for` is no longer than that of the alerts it inhibits (else the per-batch
  notifications go out before the inhibition holds).
"""
import os
import re
import subprocess
import sys

import yaml

RECEIVER_OF = {"critical": "anchorbrowser-pager", "warning": "anchorbrowser-tickets",
               "info": "anchorbrowser-chat"}
UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def seconds(d):
    return sum(float(n) * UNITS[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", d or "0s"))


def amtool(*args):
    p = subprocess.run(["amtool"] + list(args), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True)
    # amtool warns that --config.file overrides --alertmanager.url: true, and not our concern.
    out = "\n".join(l for l in p.stdout.splitlines() if not l.startswith("Warning: --config.file"))
    return p.returncode, out.strip()


def alertname_matcher(matchers):
    """The regex an alertname matcher of `matchers` (a list of strings) accepts."""
    for m in matchers:
        mm = re.fullmatch(r'\s*alertname\s*(=~|=)\s*"(.*)"\s*', m)
        if mm:
            return mm.group(2) if mm.group(1) == "=~" else re.escape(mm.group(2))
    return None


def main():
    dash = sys.argv[1]
    config = os.path.join(dash, "alertmanager.yml")
    failures = []
    rc, out = amtool("check-config", config)
    print(out)
    if rc != 0:
        failures.append("amtool check-config failed")

    with open(os.path.join(dash, "alerts.yml")) as f:
        alerts = [r for g in yaml.safe_load(f)["groups"] for r in g["rules"] if "alert" in r]
    for a in alerts:
        labels = ["alertname=" + a["alert"], "exporter=exporter:9877", "job=anchorbrowser"]
        labels += ["%s=%s" % kv for kv in sorted(a.get("labels", {}).items())]
        want = RECEIVER_OF[a["labels"]["severity"]]
        rc, out = amtool("config", "routes", "test", "--config.file=" + config,
                         "--verify.receivers=" + want, *labels)
        print("%-36s -> %s" % (a["alert"], out.splitlines()[0] if out else "?"))
        if rc != 0:
            failures.append("%s: routed to %s, expected %s" % (a["alert"], out, want))
    rc, out = amtool("config", "routes", "test", "--config.file=" + config,
                     "--verify.receivers=anchorbrowser-pager",
                     "alertname=AnchorBrowserBatchStuck", "severity=warning")
    if rc == 0:
        failures.append("amtool accepted a wrong receiver: the routing check cannot fail")
    else:
        print("a wrong expected receiver is rejected, as it should be")

    with open(config) as f:
        am = yaml.safe_load(f)
    fors = {a["alert"]: seconds(a.get("for")) for a in alerts}
    for i, rule in enumerate(am.get("inhibit_rules", [])):
        src = alertname_matcher(rule.get("source_matchers", []))
        dst = alertname_matcher(rule.get("target_matchers", []))
        sources = [n for n in fors if src and re.fullmatch(src, n)]
        targets = [n for n in fors if dst and re.fullmatch(dst, n)]
        if not sources or not targets:
            failures.append("inhibit rule %d names no alert of alerts.yml (%s -> %s)" % (i, src, dst))
        if "exporter" not in rule.get("equal", []):
            failures.append("inhibit rule %d does not match on the exporter label" % i)
        for s in sources:
            for t in targets:
                if fors[s] > fors[t]:
                    failures.append("inhibit rule %d: %s (for %gs) would hold only after %s "
                                    "(for %gs) went out" % (i, s, fors[s], t, fors[t]))
        print("inhibit rule %d: %s -> %s" % (i, sources, targets))
    for f in failures:
        print("FAIL " + f)
    print("%d alerts routed, %d problems" % (len(alerts), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
