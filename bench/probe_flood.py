#!/usr/bin/env python3
"""The issue-19 measurement: N /probe requests with distinct unlisted ids against the real binary.

A loopback fake API (its own process) answers 404 for every batch but one tracked batch, which
answers 429 with Retry-After: 3600. The exporter runs with probe.allow_unlisted: true and
anchor.max_requests_per_second: CAP. Reported: RSS before and after the flood (VmRSS, read while
idle), the most API requests seen in any one second, the exporter's log lines, how often the
tracked batch was requested, and the exporter's state gauges.

Usage: bench/probe_flood.py [--exporter build/anchorbrowser_exporter] [--probes 100000]
                            [--cap 1000] [--clients 8]
"""
import argparse
import collections
import http.client
import http.server
import json
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fake_api(port):
    """Serves until killed; GET /__counts answers {second: batch requests, "-1": tracked}."""
    counts = collections.Counter()
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):  # noqa: N802 (http.server's name)
            if self.path == "/__counts":
                with lock:
                    body, code, extra = json.dumps(counts).encode(), 200, []
            elif self.path.endswith("/tracked-429"):
                with lock:
                    counts[int(time.monotonic())] += 1
                    counts[-1] += 1
                body, code, extra = b'{"error":"slow down"}', 429, [("Retry-After", "3600")]
            else:
                with lock:
                    counts[int(time.monotonic())] += 1
                body, code, extra = b'{"error":"Batch session not found"}', 404, []
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for k, v in extra:
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    server.serve_forever()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def get(port, path, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, body.decode("utf-8", "replace")


def api_counts(port):
    return {int(k): v for k, v in json.loads(get(port, "/__counts")[1]).items()}


def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return line.split()[-1]
    return "absent"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--exporter", default="build/anchorbrowser_exporter")
    ap.add_argument("--probes", type=int, default=100000)
    ap.add_argument("--cap", type=float, default=1000)
    ap.add_argument("--clients", type=int, default=8)
    args = ap.parse_args()

    api_port, web_port = free_port(), free_port()
    api = multiprocessing.Process(target=fake_api, args=(api_port,), daemon=True)
    api.start()

    tmp = tempfile.mkdtemp(prefix="probe_flood.")
    config = os.path.join(tmp, "config.yaml")
    with open(config, "w") as f:
        f.write(f"""anchor:
  base_url: http://127.0.0.1:{api_port}
  api_key_env: PROBE_FLOOD_KEY
  max_requests_per_second: {args.cap}
batches:
  - id: tracked-429
probe:
  allow_unlisted: true
""")
    log_path = os.path.join(tmp, "exporter.log")
    env = dict(os.environ, PROBE_FLOOD_KEY="sk-probe-flood")
    with open(log_path, "w") as log:
        exporter = subprocess.Popen(
            [args.exporter, "--config.file", config,
             "--web.listen-address", f"127.0.0.1:{web_port}"],
            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        for _ in range(100):
            try:
                if get(web_port, "/-/ready")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        get(web_port, "/metrics")
        time.sleep(0.5)
        rss_start = rss_kib(exporter.pid)
        tracked_before = api_counts(api_port).get(-1, 0)

        next_id = iter(range(args.probes))
        lock = threading.Lock()
        statuses = collections.Counter()

        def client():
            conn = http.client.HTTPConnection("127.0.0.1", web_port, timeout=60)
            while True:
                with lock:
                    n = next(next_id, None)
                if n is None:
                    break
                conn.request("GET", f"/probe?target=flood-{n:07d}",
                             headers={"X-Prometheus-Scrape-Timeout-Seconds": "10"})
                resp = conn.getresponse()
                resp.read()
                with lock:
                    statuses[resp.status] += 1
            conn.close()

        start = time.monotonic()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - start
        _, text = get(web_port, "/metrics")
        time.sleep(0.5)
        rss_end = rss_kib(exporter.pid)
        counts = api_counts(api_port)
        per_second = {k: v for k, v in counts.items() if k >= 0}
        with open(log_path) as f:
            lines = f.read().splitlines()
        print(f"probes: {args.probes} distinct unlisted ids, {args.clients} clients, "
              f"{elapsed:.1f} s, answers {dict(statuses)}")
        print(f"RSS: {rss_start / 1024:.1f} MiB before, {rss_end / 1024:.1f} MiB after "
              f"(+{(rss_end - rss_start) / 1024:.1f} MiB)")
        series = [per_second[k] for k in sorted(per_second)]
        print(f"API: {sum(per_second.values())} batch requests in {len(series)} s, "
              f"{sum(series) / max(elapsed, 1e-9):.0f}/s on average; most in one second "
              f"{max(series, default=0)}, after the first second "
              f"{max(series[1:], default=0)} (cap {args.cap:g}/s with a burst of one "
              f"second's worth: the first second may see twice the cap)")
        print(f"tracked batch under Retry-After: requested {counts.get(-1, 0) - tracked_before} "
              f"times during the flood (before: {tracked_before})")
        print(f"exporter log: {len(lines)} lines")
        for name in ("anchorbrowser_exporter_probe_unlisted_state_entries",
                     "anchorbrowser_exporter_probe_unlisted_state_limit",
                     "anchorbrowser_exporter_probe_unlisted_state_evictions_total",
                     "anchorbrowser_exporter_tracked_state_entries"):
            print(f"{name} {metric(text, name)}")
    finally:
        exporter.terminate()
        exporter.wait(timeout=10)
        api.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
