#!/usr/bin/env python3
"""Exemplars end to end, with real parts on loopback:

  scripted fake Anchor API  <-  anchorbrowser_exporter (the built binary, a config file)
                            <-  Prometheus 2.42 with --enable-feature=exemplar-storage,
                                scraping every second (it asks for OpenMetrics itself).

Two running batches with known sessions; /api/v1/query_exemplars for each batch's run-time
and queue-wait buckets must return, per bucket, the id of the slowest session in it, with its
completed_at (run time) or started_at (queue wait) as the exemplar's time; sessions without a
usable id (null, too long for OpenMetrics' 128 characters) give none.

Usage: e2e_exemplars.py --exporter BIN --fake-api BIN
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import yaml

API_KEY = "e2e-exemplars-key-0123456789"
DEADLINE = time.monotonic() + 75  # ctest's TIMEOUT (90 s) backs this up
NOW = time.time()


class Failure(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def wait_for(what, check, seconds):
    """Polls check() every 100 ms until it returns a truthy value; its last error is shown."""
    until = min(time.monotonic() + seconds, DEADLINE)
    last = None
    while time.monotonic() < until:
        try:
            got = check()
            if got:
                return got
        except (OSError, ValueError, KeyError, Failure) as e:
            last = e
        time.sleep(0.1)
    raise Failure("timed out waiting for %s (last: %s)" % (what, last))


def iso(t):
    """RFC 3339 UTC with milliseconds. Times come from now: no calendar date in this test."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".%03dZ" % (int(t * 1000) % 1000)


CREATED = round(NOW - 3600)  # whole seconds, so that the expected waits and runs are exact


def session(session_id, wait, run):
    """A session that waited `wait` s after the batch's creation and ran `run` s."""
    return {"session_id": session_id, "status": "completed", "error": None, "retry_count": 0,
            "cdp_url": None, "live_view_url": None,
            "started_at": iso(CREATED + wait), "completed_at": iso(CREATED + wait + run)}


def batch_json(batch_id, sessions):
    return json.dumps({"data": {
        "batch_id": batch_id, "status": "processing", "total_requests": len(sessions),
        "completed_requests": len(sessions), "failed_requests": 0, "processing_requests": 0,
        "pending_requests": 0, "created_at": iso(CREATED), "actual_completion_time": None,
        "error": None, "sessions": sessions,
        "progress": {"percentage": 50.0, "current_phase": "ready"}}})


# batch -> its sessions; EXPECTED[batch][histogram][le] = (session_id, value, exemplar time)
BATCHES = {
    "b-one": [session("s-fast", 1, 12), session("s-slowest", 2, 28.5), session("s-mid", 3, 20),
              session(None, 4, 29), session("x" * 119, 5, 29.5), session("s-stuck", 40, 2000)],
    "b-two": [session("t-only", 0.25, 7)],
}
EXPECTED = {
    "b-one": {
        "duration": {"30.0": ("s-slowest", 28.5, CREATED + 2 + 28.5),
                     "10.0": None, "3600.0": ("s-stuck", 2000, CREATED + 40 + 2000)},
        "queue": {"1.0": ("s-fast", 1, CREATED + 1), "2.5": ("s-slowest", 2, CREATED + 2),
                  "5.0": ("s-mid", 3, CREATED + 3), "60.0": ("s-stuck", 40, CREATED + 40)},
    },
    "b-two": {
        "duration": {"10.0": ("t-only", 7, CREATED + 0.25 + 7)},
        "queue": {"0.5": ("t-only", 0.25, CREATED + 0.25)},
    },
}


def start(name, argv, ready, tmp, env=None):
    for _ in range(3):  # a port chosen free can be taken before the process binds it
        logf = open(os.path.join(tmp, name + ".log"), "w")
        p = subprocess.Popen(argv(), stdout=logf, stderr=subprocess.STDOUT, env=env)

        def up():
            if p.poll() is not None:
                raise Failure("%s exited with %s" % (name, p.returncode))
            return http_get(ready())[0] == 200
        try:
            wait_for(name + " to be ready", up, 20)
            return p
        except Failure:
            stop(p)
    raise Failure("%s did not start" % name)


def stop(p):
    if p is not None and p.poll() is None:
        p.terminate()
        try:
            p.wait(5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def exemplars(prom, query):
    """le -> (session_id, value, timestamp) of the last exemplar Prometheus keeps per series."""
    url = "%s/api/v1/query_exemplars?%s" % (prom, urllib.parse.urlencode({
        "query": query, "start": "%.3f" % (CREATED - 60), "end": "%.3f" % (time.time() + 60)}))
    body = json.loads(http_get(url)[1])
    if body.get("status") != "success":
        raise Failure("query_exemplars: %s" % body)
    out = {}
    for series in body["data"]:
        last = series["exemplars"][-1]
        out[series["seriesLabels"]["le"]] = (last["labels"].get("session_id"),
                                             float(last["value"]), float(last["timestamp"]))
    return out


def check_batch(prom, batch_id):
    for histogram, want in EXPECTED[batch_id].items():
        query = 'anchorbrowser_batch_session_%s_seconds_bucket{batch_id="%s"}' % (histogram,
                                                                                 batch_id)
        wanted = {le: v for le, v in want.items() if v is not None}
        got = wait_for("exemplars of " + query, lambda: exemplars(prom, query) or None, 30)
        if set(got) != set(wanted):
            raise Failure("%s: exemplars on buckets %s, expected %s" % (query, sorted(got),
                                                                      sorted(wanted)))
        for le, (sid, value, ts) in wanted.items():
            g = got[le]
            if g[0] != sid or abs(g[1] - value) > 1e-6 or abs(g[2] - ts) > 1e-3:
                raise Failure("%s le=%s: got %s, expected %s" % (query, le, g, (sid, value, ts)))
        print("ok: %s -> %s" % (query, ", ".join("le=%s %s" % (le, got[le][0])
                                                  for le in sorted(got, key=float))))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exporter", required=True)
    ap.add_argument("--fake-api", required=True)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="e2e-exemplars-")
    api = exporter = prom = None
    ok = False
    try:
        api = subprocess.Popen([args.fake_api, API_KEY], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
        line = api.stdout.readline().split()
        if len(line) != 2 or line[0] != "port":
            raise Failure("the fake API did not start: %r" % line)
        for batch_id, sessions in BATCHES.items():
            api.stdin.write("json %s %s\n" % (batch_id, batch_json(batch_id, sessions)))
            api.stdin.flush()
            if api.stdout.readline().strip() != "ok":
                raise Failure("the fake API refused " + batch_id)
        with open(os.path.join(tmp, "exporter.yml"), "w") as f:
            yaml.safe_dump({
                "anchor": {"base_url": "http://127.0.0.1:%s" % line[1],
                           "api_key_env": "ANCHORBROWSER_API_KEY"},
                "batches": [{"id": b} for b in BATCHES]}, f)
        ports = {}

        def exporter_argv():
            ports["exporter"] = free_port()
            return [args.exporter, "--config.file=" + os.path.join(tmp, "exporter.yml"),
                    "--web.listen-address=127.0.0.1:%d" % ports["exporter"]]
        exporter = start("exporter", exporter_argv,
                         lambda: "http://127.0.0.1:%d/-/ready" % ports["exporter"], tmp,
                         env=dict(os.environ, ANCHORBROWSER_API_KEY=API_KEY))
        with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
            yaml.safe_dump({"global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
                            "scrape_configs": [{"job_name": "anchorbrowser", "static_configs": [
                                {"targets": ["127.0.0.1:%d" % ports["exporter"]]}]}]}, f)

        def prom_argv():
            ports["prom"] = free_port()
            return ["prometheus", "--config.file=" + os.path.join(tmp, "prometheus.yml"),
                    "--storage.tsdb.path=" + os.path.join(tmp, "data"),
                    "--web.listen-address=127.0.0.1:%d" % ports["prom"],
                    "--enable-feature=exemplar-storage", "--log.level=warn"]
        prom = start("prometheus", prom_argv,
                     lambda: "http://127.0.0.1:%d/-/ready" % ports["prom"], tmp)
        prom_url = "http://127.0.0.1:%d" % ports["prom"]
        for batch_id in BATCHES:
            check_batch(prom_url, batch_id)
        ok = True
    except Failure as e:
        print("FAIL: %s" % e)
    finally:
        stop(prom)
        stop(exporter)
        if api is not None and api.poll() is None:
            api.stdin.close()
            api.wait(5)
        if not ok:
            for name in ("exporter", "prometheus"):
                path = os.path.join(tmp, name + ".log")
                if os.path.exists(path):
                    print("--- %s log (tail)" % name)
                    print("".join(open(path).readlines()[-15:]))
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
