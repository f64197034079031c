#!/usr/bin/env python3
"""Checks the example scrape configuration (dashboards/prometheus.yml) with promtool:
`promtool check config` must pass without a warning (it also checks the rule files it loads),
and `promtool check service-discovery` must show the relabeling the comments promise for
every /probe job: the batch id moves to ?target= and to the instance label, the scrape goes
to an exporter, and with several exporters (hashmod) each gets a share of the ids.

Usage: check_scrape_config.py <prometheus.yml>   Exit 0 when it holds, 1 otherwise.
"""
import json
import os
import re
import subprocess
import sys


def run(args, cwd):
    p = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def probe_jobs(config_text):
    """Names of the jobs whose metrics_path is /probe (a line-based read of our example)."""
    jobs, current = [], None
    for line in config_text.splitlines():
        m = re.match(r"\s*-\s*job_name:\s*(\S+)", line)
        if m:
            current = m.group(1)
        elif current and re.match(r"\s*metrics_path:\s*/probe\s*$", line):
            jobs.append(current)
    return jobs


def check_probe_job(cwd, config, job):
    errors = []
    # Static and file targets are there at once; the timeout only bounds the wait for them.
    rc, out, err = run(["promtool", "check", "service-discovery", "--timeout=2s", config, job],
                       cwd)
    if rc != 0:
        return ["%s: promtool check service-discovery failed (%d): %s" % (job, rc, err.strip())]
    targets = json.loads(out[out.index("["):])
    if not targets:
        return ["%s: no target discovered" % job]
    exporters = {}
    for t in targets:
        batch = t["discoveredLabels"]["__address__"]
        labels = t.get("labels") or {}
        if labels.get("__param_target") != batch:
            errors.append("%s: %s: __param_target is %r"
                          % (job, batch, labels.get("__param_target")))
        if labels.get("instance") != batch:
            errors.append("%s: %s: instance is %r" % (job, batch, labels.get("instance")))
        if labels.get("__metrics_path__") != "/probe":
            errors.append("%s: %s: path %r" % (job, batch, labels.get("__metrics_path__")))
        address = labels.get("__address__", "")
        if address == batch or not re.fullmatch(r"[\w.-]+:\d+", address):
            errors.append("%s: %s: scraped at %r, not at an exporter" % (job, batch, address))
        if labels.get("exporter") != address:
            errors.append("%s: %s: exporter label %r, address %r"
                          % (job, batch, labels.get("exporter"), address))
        exporters.setdefault(address, []).append(batch)
    if "hashmod" in job or "shard" in job:
        if len(exporters) < 2:
            errors.append("%s: every batch goes to %s" % (job, list(exporters)))
    print("%s: %s" % (job, ", ".join("%s <- %d ids" % (a, len(b))
                                     for a, b in sorted(exporters.items()))))
    return errors


def check(path):
    """Problems found in the configuration at `path` (empty when it is fine)."""
    path = os.path.abspath(path)
    cwd, config = os.path.dirname(path), os.path.basename(path)
    errors = []
    rc, out, err = run(["promtool", "check", "config", "--lint=all", "--lint-fatal", config], cwd)
    print(out.strip())
    if rc != 0:
        errors.append("promtool check config failed (%d): %s" % (rc, err.strip()))
    errors += ["promtool warns: " + line.strip() for line in (out + err).splitlines()
               if re.search(r"warn", line, re.I)]
    with open(path) as f:
        jobs = probe_jobs(f.read())
    if not jobs:
        errors.append("no /probe job in %s" % path)
    for job in jobs:
        errors += check_probe_job(cwd, config, job)
    return errors


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    errors = check(sys.argv[1])
    for e in errors:
        print("FAIL " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
