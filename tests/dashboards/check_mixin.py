#!/usr/bin/env python3
"""Checks of the monitoring mixin (dashboards/mixin), with the real jsonnet.

  check_mixin.py up-to-date <dashboards dir>: renders the mixin and fails when a committed
    file (alerts.yml, rules.yml, the dashboard JSON) differs from what it generates
    (run `make mixin`);
  check_mixin.py override <dashboards dir>: renders it with another job selector and exporter
    label in _config and fails unless the dashboard passes check_dashboard.py and every rule expression, every dashboard query, variable
    and annotation carries the new selector and none the default one.
"""
import difflib
import json
import os
import subprocess
import sys
import tempfile

import yaml

import check_dashboard
from promql import PromQLSyntaxError, selectors

OVERRIDE = {"selector": 'job="other-job"', "exporterLabel": "instance"}
DEFAULT_SELECTOR = 'job=~"anchorbrowser.*"'


def render(mixin_dir, out_dir, config=None):
    """The files render.py writes, in out_dir."""
    cmd = [sys.executable, os.path.join(mixin_dir, "render.py"), out_dir]
    if config is not None:
        cmd += ["--tla-code", "config=" + json.dumps(config)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return sorted(os.listdir(out_dir))


def up_to_date(dash_dir):
    with tempfile.TemporaryDirectory() as out:
        names = render(os.path.join(dash_dir, "mixin"), out)
        stale = 0
        for name in names:
            with open(os.path.join(out, name)) as f:
                want = f.read()
            path = os.path.join(dash_dir, name)
            have = open(path).read() if os.path.exists(path) else ""
            if have != want:
                stale += 1
                print("FAIL %s is not what the mixin generates (run `make mixin`):" % name)
                sys.stdout.writelines(list(difflib.unified_diff(
                    have.splitlines(True), want.splitlines(True), name, "mixin"))[:40])
            else:
                print("ok   %s" % name)
        # The Kubernetes PrometheusRule holds the same groups.
        rule = os.path.join(out, "prometheusrule.yaml")
        subprocess.run([sys.executable, os.path.join(dash_dir, "mixin", "render.py"),
                        "--prometheus-rule", rule], check=True, stdout=subprocess.DEVNULL)
        committed = os.path.join(dash_dir, "..", "deploy", "kubernetes", "base", "prometheusrule.yaml")
        have = open(committed).read() if os.path.exists(committed) else ""
        if have != open(rule).read():
            stale += 1
            print("FAIL deploy/kubernetes/base/prometheusrule.yaml is not what the mixin generates "
                  "(run `make mixin`)")
        else:
            print("ok   deploy/kubernetes/base/prometheusrule.yaml")
        return 1 if stale else 0


def queries(out):
    """(where, expression) for every rule and every query of every dashboard."""
    for name in ("rules.yml", "alerts.yml"):
        with open(os.path.join(out, name)) as f:
            for g in yaml.safe_load(f)["groups"]:
                for r in g["rules"]:
                    yield "%s %s" % (name, r.get("alert") or r.get("record")), r["expr"]
    for name in os.listdir(out):
        if not name.endswith(".json"):
            continue
        with open(os.path.join(out, name)) as f:
            dash = json.load(f)
        for v in dash["templating"]["list"]:
            if v.get("type") == "query":
                yield "%s variable %s" % (name, v["name"]), v["definition"]
        for a in dash["annotations"]["list"]:
            if a.get("expr"):
                yield "%s annotation %s" % (name, a["name"]), a["expr"]
        stack = list(dash["panels"])
        while stack:
            p = stack.pop()
            stack.extend(p.get("panels", []))
            for t in p.get("targets", []):
                yield "%s panel %s (%s)" % (name, p["title"], t["refId"]), t["expr"]


def override(dash_dir):
    failures, n = [], 0
    with tempfile.TemporaryDirectory() as out:
        render(os.path.join(dash_dir, "mixin"), out, OVERRIDE)
        for where, expr in queries(out):
            n += 1
            text = expr
            if where.split(" ")[1] == "variable":  # label_values(selector, label)
                text = expr[len("label_values("):].rsplit(",", 1)[0]
            try:
                sels = selectors(text)
            except PromQLSyntaxError as e:
                failures.append("%s: %s" % (where, e))
                continue
            if not sels:
                failures.append("%s: no selector in %s" % (where, expr))
            for s in sels:
                if OVERRIDE["selector"] not in s or DEFAULT_SELECTOR in s:
                    failures.append("%s: %s does not carry %s" % (where, s, OVERRIDE["selector"]))
            if '"$exporter"' in expr:
                failures.append("%s: still filters on $exporter: %s" % (where, expr))
        for name in [n for n in os.listdir(out) if n.endswith(".json")]:
            with open(os.path.join(out, name)) as f:  # the linter rules hold there too
                failures.extend("%s: %s" % (name, e) for e in check_dashboard.check(json.load(f)))
    for f in failures:
        print("FAIL " + f)
    print("%d queries rendered with %s, %d problems" % (n, json.dumps(OVERRIDE), len(failures)))
    return 1 if failures or n == 0 else 0


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] not in ("up-to-date", "override"):
        print(__doc__)
        sys.exit(2)
    sys.exit((up_to_date if sys.argv[1] == "up-to-date" else override)(sys.argv[2]))
