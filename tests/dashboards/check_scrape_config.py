#!/usr/bin/env python3
"""Checks the example scrape configuration (dashboards/prometheus.yml) with promtool:
`promtool check config` must pass without a warning (it also checks the rule files it loads),
and `promtool check service-discovery` must show the relabeling the comments promise for
every /probe job: the batch id moves to ?target= and to the instance label, the scrape goes
to an exporter, and with several exporters (hashmod) each gets a share of the ids.

With --docs FILE..., every ```yaml block of those Markdown files that follows a
"<!-- same as dashboards/prometheus.yml job: NAME -->" line must hold that job exactly (as
parsed YAML, comments aside), so the documented recipe is the tested one.

Usage: check_scrape_config.py <prometheus.yml> [--docs FILE...]
Exit 0 when it holds, 1 otherwise.
"""
import json
import os
import re
import subprocess
import sys

import yaml


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


def check_docs(config_path, doc_paths):
    """Problems in the documented copies of the config's jobs (empty when they are identical)."""
    with open(config_path) as f:
        jobs = {j["job_name"]: j for j in yaml.safe_load(f)["scrape_configs"]}
    errors, copies = [], 0
    marker = re.compile(r"<!-- same as dashboards/prometheus.yml job: (\S+) -->")
    for doc in doc_paths:
        with open(doc) as f:
            text = f.read()
        for m in marker.finditer(text):
            block = re.match(r"\s*```yaml\n(.*?)\n```", text[m.end():], re.S)
            where = "%s:%d" % (doc, text[:m.start()].count("\n") + 1)
            if not block:
                errors.append("%s: no ```yaml block after the marker" % where)
                continue
            documented = (yaml.safe_load(block.group(1)) or {}).get("scrape_configs") or [{}]
            copies += 1
            if m.group(1) not in jobs:
                errors.append("%s: no job %s in %s" % (where, m.group(1), config_path))
            elif documented != [jobs[m.group(1)]]:
                errors.append("%s: differs from job %s in %s" % (where, m.group(1), config_path))
    if doc_paths and not copies:
        errors.append("no documented copy of a job in %s" % ", ".join(doc_paths))
    return errors


def main():
    args = sys.argv[1:]
    docs = args[args.index("--docs") + 1:] if "--docs" in args else []
    if "--docs" in args:
        args = args[:args.index("--docs")]
    if len(args) != 1:
        print(__doc__)
        return 2
    errors = check(args[0]) + check_docs(args[0], docs)
    for e in errors:
        print("FAIL " + e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
