#!/usr/bin/env python3
"""Checks that Prometheus servers sharing dashboards/prometheus-sd.yml (hashmod split) probe
every batch the exporter's /sd lists exactly once per interval, follow discovery without a
restart, and stop probing a batch that left.

Usage: check_sharding.py --sd URL --prometheus URL [--prometheus URL ...] --job JOB
         --interval SECONDS --late ID --leaving ID --wait SECONDS
Exit 0 when every check holds, 1 otherwise (each failure printed).
"""
import argparse
import json
import sys
import time
import urllib.request

from prometheus_api import Prometheus, Unreachable


def sd_targets(url):
    with urllib.request.urlopen(url, timeout=5) as resp:
        if not resp.headers.get("Content-Type", "").startswith("application/json"):
            raise ValueError("/sd Content-Type is %r" % resp.headers.get("Content-Type"))
        groups = json.load(resp)
    return {t for g in groups for t in g["targets"]}


def active(prom, job):
    """Batch ids (instance) of the job's active targets on one server, with their health."""
    body = prom._call("/api/v1/targets", {"state": "active"})
    return {t["labels"]["instance"]: t["health"] for t in body["data"]["activeTargets"]
            if t["labels"].get("job") == job}


def shards(proms, job):
    return [set(active(p, job)) for p in proms]


def wait_for(what, until, check):
    """Polls check() (None when it holds, else why not) until it holds or time is up."""
    why = "never checked"
    while time.time() < until:
        try:
            why = check()
        except (Unreachable, OSError, ValueError) as e:
            why = str(e)
        if why is None:
            print("ok: " + what)
            return True
        time.sleep(0.1)
    print("FAIL: %s: %s" % (what, why))
    return False


def split_matches_sd(proms, args):
    listed = sd_targets(args.sd)
    parts = shards(proms, args.job)
    both = set.intersection(*parts) if len(parts) > 1 else set()
    union = set.union(*parts)
    if both:
        return "probed by more than one server: %s" % sorted(both)
    if union != listed:
        return "servers probe %s, /sd lists %s" % (sorted(union), sorted(listed))
    if any(not p for p in parts):
        return "a server got no batch at all: %s" % [len(p) for p in parts]
    return None


def once_per_interval(proms, args, batches):
    """Each batch has one server's samples of `up`, one per interval, over a window."""
    window = 4 * args.interval
    counts = {}
    for i, prom in enumerate(proms):
        result, err = prom.query('count_over_time(up{job="%s"}[%ds])' % (args.job, window))
        if err:
            return err
        for r in result:
            counts.setdefault(r["metric"]["instance"], []).append((i, float(r["value"][1])))
    for b in batches:
        seen = counts.get(b, [])
        if len(seen) != 1:
            return "%s: samples on %d servers" % (b, len(seen))
        n = seen[0][1]
        # A closed range of 4 intervals holds 4 or 5 samples of a target scraped once each.
        if not 4 <= n <= 5:
            return "%s: %d samples of up in %ds at a %ds interval" % (b, n, window, args.interval)
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sd", required=True)
    ap.add_argument("--prometheus", action="append", required=True)
    ap.add_argument("--job", required=True)
    ap.add_argument("--interval", type=int, default=1)
    ap.add_argument("--late", required=True)
    ap.add_argument("--leaving", required=True)
    ap.add_argument("--wait", type=float, default=30)
    args = ap.parse_args()
    proms = [Prometheus(u, timeout=5) for u in args.prometheus]
    until = time.time() + args.wait
    ok = True

    ok &= wait_for("the servers split /sd's batches, none on two, none missing", until,
                   lambda: split_matches_sd(proms, args))
    ok &= wait_for("%s is listed and probed" % args.leaving, until,
                   lambda: None if args.leaving in set.union(*shards(proms, args.job))
                   else "not a target yet")
    stable = sorted(set.union(*shards(proms, args.job)) - {args.leaving})
    ok &= wait_for("every batch is probed once per interval", until,
                   lambda: once_per_interval(proms, args, stable))
    ok &= wait_for("%s, created later, is probed by one server" % args.late, until,
                   lambda: None if sum(shards(proms, args.job)[i].__contains__(args.late)
                                       for i in range(len(proms))) == 1
                   and split_matches_sd(proms, args) is None
                   else "not (only) on one server yet")

    def left():
        if args.leaving in sd_targets(args.sd):
            return "still listed by /sd"
        if any(args.leaving in s for s in shards(proms, args.job)):
            return "still a target"
        for p in proms:  # a target that goes away gets a stale marker: no current sample
            result, err = p.query('up{job="%s",instance="%s"}' % (args.job, args.leaving))
            if err or result:
                return err or "up still has a current sample"
        return None
    ok &= wait_for("%s, finished, left /sd and is no longer probed" % args.leaving, until, left)
    ok &= wait_for("the split still matches /sd", until, lambda: split_matches_sd(proms, args))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
