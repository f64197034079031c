#!/usr/bin/env python3
"""The whole alerting path, end to end, with real parts on loopback:

  scripted fake Anchor API  <-  anchorbrowser_exporter (the built binary, a config file)
                            <-  Prometheus (scrapes it every second, evaluates the mixin's
                                rules and alerts every second, sends to Alertmanager)
                            ->  Alertmanager (dashboards/alertmanager.yml: its route and
                                inhibit rules; receivers pointed at this test)
                            ->  the webhook receiver this test runs.

The alert rules are the mixin's, rendered by jsonnet with short `for` durations and windows
(the expressions are otherwise those of dashboards/alerts.yml). Scenarios, in order: a batch
failed and a stuck batch (delivered, field by field), retries spiking, the stuck batch
moving again (sent as resolved), the API key rejected (delivered; the per-batch fetch alerts
and "API unreachable" inhibited: in Alertmanager, suppressed, never delivered), then the API
unreachable (delivered, the per-batch alerts inhibited, resolved once the API is back).

Usage: e2e_alertmanager.py --exporter BIN --fake-api BIN --alertmanager BIN --dashboards DIR
"""
import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import yaml

API_KEY = "e2e-test-key-0123456789"
DEADLINE = time.monotonic() + 200  # ctest's TIMEOUT (240 s) backs this up
# Short durations for the test: inhibiting alerts no slower than the alerts they inhibit, as in
# the defaults (key rejected 2m < API unreachable 5m < batch fetch failing 10m).
JSONNET_CONFIG = ("{'for'+: {apiKeyRejected: '2s', apiUnreachable: '4s', batchFetchFailing: '8s'},"
                  " stuckWindow: '4s', fetchErrorsRateWindow: '8s'}")


class Failure(Exception):
    pass


def log(msg):
    print("%6.1fs %s" % (time.monotonic() - STARTED, msg), flush=True)


STARTED = time.monotonic()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=2):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode()


def wait_for(what, check, seconds):
    """Polls check() (truthy result or exception-free) until it returns a truthy value."""
    until = min(time.monotonic() + seconds, DEADLINE)
    last = None
    while time.monotonic() < until:
        try:
            got = check()
            if got:
                return got
        except Failure:
            raise
        except Exception as e:  # noqa: BLE001 - the last error is reported below
            last = e
        time.sleep(0.1)
    raise Failure("timed out waiting for %s%s" % (what, " (last error: %s)" % last if last else ""))


# ----------------------------------------------------------------------------- webhook ---

class Webhook:
    """Alertmanager's webhook receiver: keeps every notification with its path."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []  # (path, payload)
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with hook.lock:
                    hook.received.append((self.path, json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def notifications(self, since=0):
        with self.lock:
            return list(self.received[since:])

    def count(self):
        with self.lock:
            return len(self.received)

    def find(self, alertname, status, since=0, batch_id=None):
        """(path, payload, alert) of the first notification carrying that alert in that status."""
        for path, payload in self.notifications(since):
            for a in payload["alerts"]:
                if a["labels"].get("alertname") == alertname and a["status"] == status and \
                        (batch_id is None or a["labels"].get("batch_id") == batch_id):
                    return path, payload, a
        return None


# ----------------------------------------------------------------------------- fake API ---

def iso_ago(seconds):
    """An RFC 3339 UTC time `seconds` before now. The alert rules compare the batch's times with
    time() (AnchorBrowserBatchFailed clears a day after completion), so a fixed calendar date
    would make this test pass only in the week it was written."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - seconds))


def batch_json(batch_id, status, total=100, failed=0, completed=0, percentage=50.0,
               retried_sessions=0, retries_each=0):
    processing = max(0, total - failed - completed)
    sessions = [{"item_index": i, "session_id": "s%d" % i, "status": "processing",
                 "cdp_url": None, "live_view_url": None, "error": None,
                 "retry_count": retries_each if i < retried_sessions else 0,
                 "started_at": iso_ago(3 * 86400), "completed_at": None, "metadata": {}}
                for i in range(max(retried_sessions, 1))]
    finished = status in ("completed", "failed", "cancelled")
    return json.dumps({"data": {
        "batch_id": batch_id, "status": status, "total_requests": total,
        "completed_requests": completed, "failed_requests": failed,
        "processing_requests": 0 if finished else processing, "pending_requests": 0,
        "created_at": iso_ago(3 * 86400),
        "actual_completion_time": iso_ago(60) if finished else None,
        "error": "too many sessions failed" if status == "failed" else None,
        "sessions": sessions,
        "progress": {"percentage": percentage, "current_phase": "ready"}}})


class FakeApi:
    def __init__(self, binary):
        self.proc = subprocess.Popen([binary, API_KEY], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        if len(line) != 2 or line[0] != "port":
            raise Failure("the fake API did not start: %r" % line)
        self.port = int(line[1])
        self.lock = threading.Lock()

    def send(self, command):
        with self.lock:
            self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
            answer = self.proc.stdout.readline().strip()
        if answer != "ok":
            raise Failure("fake API: %s -> %s" % (command, answer))

    def batch(self, batch_id, **kw):
        self.send("json %s %s" % (batch_id, batch_json(batch_id, **kw)))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(5)


class Batches:
    """The scripted batches; a ticker moves the progress of the ones that should not look
    stuck, once a second."""

    def __init__(self, api):
        self.api = api
        self.lock = threading.Lock()
        self.state = {}     # batch_id -> kwargs of batch_json
        self.moving = set()
        self.rejected = False
        self.tick = 0
        self.stopped = threading.Event()
        threading.Thread(target=self.run, daemon=True).start()

    def set(self, batch_id, moving, **kw):
        with self.lock:
            self.state[batch_id] = kw
            (self.moving.add if moving else self.moving.discard)(batch_id)
            self.push(batch_id)

    def push(self, batch_id):
        if self.rejected:
            self.api.send("status %s 401" % batch_id)
            return
        kw = dict(self.state[batch_id])
        if batch_id in self.moving:
            kw["percentage"] = 10.0 + self.tick % 80
        self.api.batch(batch_id, **kw)

    def reject_key(self, rejected):
        with self.lock:
            self.rejected = rejected
            for b in self.state:
                self.push(b)

    def run(self):
        while not self.stopped.wait(1.0):
            with self.lock:
                self.tick += 1
                if not self.rejected:
                    for b in self.moving:
                        self.push(b)


# ------------------------------------------------------------------------------ processes ---

class Processes:
    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = []

    def start(self, name, argv, ready_url, env=None, seconds=20):
        for _ in range(3):  # a port chosen free can be taken before the process binds it
            logf = open(os.path.join(self.tmp, name + ".log"), "w")
            p = subprocess.Popen(argv(), stdout=logf, stderr=subprocess.STDOUT, env=env)
            self.procs.append((name, p))
            def ready():
                if p.poll() is not None:
                    raise Failure("%s exited with %s" % (name, p.returncode))
                return http_get(ready_url())[0] == 200
            try:
                wait_for(name + " to be ready", ready, seconds)
                return p
            except Failure:
                self.kill(p)
            finally:
                log("%s started" % name)
        raise Failure("%s did not start; its log:\n%s" % (name, self.tail(name)))

    def tail(self, name, lines=15):
        try:
            with open(os.path.join(self.tmp, name + ".log")) as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    @staticmethod
    def kill(p):
        if p.poll() is None:
            p.terminate()
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()

    def stop_all(self):
        for _, p in reversed(self.procs):
            self.kill(p)


# ------------------------------------------------------------------------------ checks ---

def expect_equal(what, got, want):
    if got != want:
        raise Failure("%s: got %r, expected %r" % (what, got, want))


def check_notification(found, receiver, status, labels, summary, description_parts, prom_url):
    path, payload, alert = found
    name = labels["alertname"]
    expect_equal(name + ": webhook path", path, "/" + receiver)
    expect_equal(name + ": receiver", payload["receiver"], receiver)
    expect_equal(name + ": payload version", payload["version"], "4")
    expect_equal(name + ": alert status", alert["status"], status)
    group = {k: labels[k] for k in ("exporter", "batch_id") if k in labels}
    expect_equal(name + ": groupLabels (group_by exporter, batch_id)", payload["groupLabels"], group)
    expect_equal(name + ": labels", alert["labels"], labels)
    ann = alert["annotations"]
    expect_equal(name + ": annotations", sorted(ann), ["description", "runbook_url", "summary"])
    expect_equal(name + ": summary", ann["summary"], summary)
    for part in description_parts:
        if part not in ann["description"]:
            raise Failure("%s: description %r lacks %r" % (name, ann["description"], part))
    if "{{" in ann["description"] or "<no value>" in ann["description"]:
        raise Failure("%s: unexpanded template in %r" % (name, ann["description"]))
    expect_equal(name + ": runbook_url", ann["runbook_url"], "docs/runbook.md#" + name.lower())
    if not alert["generatorURL"].startswith(prom_url):
        raise Failure("%s: generatorURL %s is not Prometheus' (%s)" % (name, alert["generatorURL"], prom_url))
    if not alert["startsAt"].startswith("20"):
        raise Failure("%s: startsAt %s" % (name, alert["startsAt"]))
    if status == "firing":
        expect_equal(name + ": endsAt of a firing alert", alert["endsAt"], "0001-01-01T00:00:00Z")
    elif not alert["endsAt"] > alert["startsAt"]:
        raise Failure("%s: resolved, but endsAt %s is not after startsAt %s"
                      % (name, alert["endsAt"], alert["startsAt"]))
    log("delivered to %s: %s %s %s" % (receiver, status, name,
                                         {k: v for k, v in labels.items() if k != "alertname"}))
    log("    summary: %s" % ann["summary"])


def am_alerts(am_url, alertname):
    q = urllib.parse.quote('alertname="%s"' % alertname)
    _, body = http_get("%s/api/v2/alerts?filter=%s" % (am_url, q))
    return json.loads(body)


def expect_inhibited(am_url, hook, since, alertname, count, by):
    """`count` alerts named `alertname` are in Alertmanager, suppressed by inhibition; and
    none of them has been delivered since notification `since`."""
    def suppressed():
        alerts = am_alerts(am_url, alertname)
        held = [a for a in alerts if a["status"]["state"] == "suppressed" and a["status"]["inhibitedBy"]]
        return held if len(held) >= count and len(held) == len(alerts) else None
    held = wait_for("%d %s alerts suppressed in Alertmanager" % (count, alertname), suppressed, 30)
    # Past group_wait and group_interval (1 s each): a notification would have gone out by now.
    time.sleep(3)
    for a in held:
        log("inhibited by %s, not delivered: %s %s" % (by, alertname,
            {k: v for k, v in a["labels"].items() if k in ("batch_id", "exporter")}))
    if hook.find(alertname, "firing", since):
        raise Failure("%s was delivered although %s inhibits it" % (alertname, by))


# ------------------------------------------------------------------------------ main ---

def render_rules(dashboards, out):
    subprocess.run([sys.executable, os.path.join(dashboards, "mixin", "render.py"), out,
                    "--tla-str", "forAll=2s", "--tla-code", "config=" + JSONNET_CONFIG],
                   check=True, stdout=subprocess.DEVNULL)


def alertmanager_config(dashboards, hook_port, path):
    with open(os.path.join(dashboards, "alertmanager.yml")) as f:
        am = yaml.safe_load(f)
    am["route"].update(group_wait="1s", group_interval="1s", repeat_interval="1h")
    for r in am["receivers"]:
        for w in r.get("webhook_configs", []):
            w["url"] = "http://127.0.0.1:%d/%s" % (hook_port, r["name"])
    with open(path, "w") as f:
        yaml.safe_dump(am, f)


def main():
    ap = argparse.ArgumentParser()
    for a in ("--exporter", "--fake-api", "--alertmanager", "--dashboards"):
        ap.add_argument(a, required=True)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="e2e-alertmanager-")
    procs = Processes(tmp)
    api = None
    batches = None
    try:
        hook = Webhook()
        api = FakeApi(args.fake_api)
        batches = Batches(api)
        # Before the exporter starts: a failed batch, a stuck one, two that move.
        batches.set("b-failed", False, status="failed", failed=40, completed=60)
        batches.set("b-stuck", False, status="processing", failed=2, completed=28, percentage=30.0)
        batches.set("b-retry", True, status="processing", failed=1, completed=20)
        batches.set("b-healthy", True, status="processing", failed=1, completed=40)
        log("fake API on 127.0.0.1:%d, webhook on 127.0.0.1:%d" % (api.port, hook.port))

        render_rules(args.dashboards, tmp)
        with open(os.path.join(tmp, "exporter.yml"), "w") as f:
            yaml.safe_dump({
                "anchor": {"base_url": "http://127.0.0.1:%d" % api.port,
                           "api_key_env": "ANCHORBROWSER_API_KEY",
                           "timeout": "1s", "connect_timeout": "1s"},
                "batches": [{"id": b} for b in ("b-failed", "b-stuck", "b-retry", "b-healthy")],
                # No cache: an unreachable API must show at once, also for finished batches.
                "cache": {"terminal_ttl": "0s", "min_interval": "0s"},
            }, f)
        ports = {}
        env = dict(os.environ, ANCHORBROWSER_API_KEY=API_KEY)

        def exporter_argv():
            ports["exporter"] = free_port()
            return [args.exporter, "--config.file=" + os.path.join(tmp, "exporter.yml"),
                    "--web.listen-address=127.0.0.1:%d" % ports["exporter"]]
        procs.start("exporter", exporter_argv,
                    lambda: "http://127.0.0.1:%d/-/ready" % ports["exporter"], env=env)
        exporter = "127.0.0.1:%d" % ports["exporter"]

        alertmanager_config(args.dashboards, hook.port, os.path.join(tmp, "alertmanager.yml"))

        def am_argv():
            ports["am"] = free_port()
            return [args.alertmanager, "--config.file=" + os.path.join(tmp, "alertmanager.yml"),
                    "--storage.path=" + os.path.join(tmp, "am"),
                    "--web.listen-address=127.0.0.1:%d" % ports["am"],
                    "--cluster.listen-address=", "--log.level=warn"]
        procs.start("alertmanager", am_argv, lambda: "http://127.0.0.1:%d/-/ready" % ports["am"])
        am_url = "http://127.0.0.1:%d" % ports["am"]

        with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
            yaml.safe_dump({
                "global": {"scrape_interval": "1s", "scrape_timeout": "1s",
                           "evaluation_interval": "1s"},
                "rule_files": [os.path.join(tmp, "rules.yml"), os.path.join(tmp, "alerts.yml")],
                "alerting": {"alertmanagers": [{"static_configs": [
                    {"targets": ["127.0.0.1:%d" % ports["am"]]}]}]},
                "scrape_configs": [{
                    "job_name": "anchorbrowser",
                    "static_configs": [{"targets": [exporter]}],
                    "relabel_configs": [{"source_labels": ["__address__"],
                                         "target_label": "exporter"}]}],
            }, f)

        def prom_argv():
            ports["prom"] = free_port()
            return ["prometheus", "--config.file=" + os.path.join(tmp, "prometheus.yml"),
                    "--storage.tsdb.path=" + os.path.join(tmp, "data"),
                    "--web.listen-address=127.0.0.1:%d" % ports["prom"],
                    "--web.external-url=http://127.0.0.1:%d" % ports["prom"],
                    "--rules.alert.resend-delay=1s", "--log.level=warn"]
        procs.start("prometheus", prom_argv, lambda: "http://127.0.0.1:%d/-/ready" % ports["prom"])
        prom_url = "http://127.0.0.1:%d" % ports["prom"]
        log("exporter %s, Alertmanager %s, Prometheus %s" % (exporter, am_url, prom_url))
        base = {"job": "anchorbrowser", "instance": exporter, "exporter": exporter}

        log("=== a batch failed, a batch stuck")
        found = wait_for("AnchorBrowserBatchFailed delivered",
                         lambda: hook.find("AnchorBrowserBatchFailed", "firing"), 30)
        check_notification(found, "anchorbrowser-tickets", "firing",
                           dict(base, alertname="AnchorBrowserBatchFailed", severity="warning",
                                batch_id="b-failed", status="failed"),
                           "Batch b-failed finished with status failed (40 of 100 requests failed)",
                           ["reports status failed: 40 of its 100 requests failed"], prom_url)
        found = wait_for("AnchorBrowserBatchStuck delivered",
                         lambda: hook.find("AnchorBrowserBatchStuck", "firing"), 30)
        check_notification(found, "anchorbrowser-tickets", "firing",
                           dict(base, alertname="AnchorBrowserBatchStuck", severity="warning",
                                batch_id="b-stuck"),
                           "Batch b-stuck is stuck at 30%",
                           ["is pending or processing", "(2 of 100 requests failed so far)"], prom_url)
        for other in ("b-retry", "b-healthy"):
            if hook.find("AnchorBrowserBatchStuck", "firing", batch_id=other):
                raise Failure("a moving batch, %s, was reported stuck" % other)

        log("=== retries spiking")
        since = hook.count()
        batches.set("b-retry", True, status="processing", failed=1, completed=20,
                    retried_sessions=30, retries_each=2)
        found = wait_for("AnchorBrowserBatchRetriesSpiking delivered",
                         lambda: hook.find("AnchorBrowserBatchRetriesSpiking", "firing", since), 30)
        check_notification(found, "anchorbrowser-chat", "firing",
                           dict(base, alertname="AnchorBrowserBatchRetriesSpiking", severity="info",
                                batch_id="b-retry"),
                           "Batch b-retry: 60 session retries in 10 minutes",
                           ["retried 60 times", "30 of its sessions have retried"], prom_url)

        log("=== the stuck batch moves again: resolved")
        since = hook.count()
        batches.set("b-stuck", True, status="processing", failed=2, completed=28)
        found = wait_for("AnchorBrowserBatchStuck resolved",
                         lambda: hook.find("AnchorBrowserBatchStuck", "resolved", since), 30)
        check_notification(found, "anchorbrowser-tickets", "resolved",
                           dict(base, alertname="AnchorBrowserBatchStuck", severity="warning",
                                batch_id="b-stuck"),
                           "Batch b-stuck is stuck at 30%", [], prom_url)

        log("=== the API key is rejected")
        since = hook.count()
        batches.reject_key(True)
        found = wait_for("AnchorBrowserApiKeyRejected delivered",
                         lambda: hook.find("AnchorBrowserApiKeyRejected", "firing", since), 30)
        check_notification(found, "anchorbrowser-pager", "firing",
                           dict(alertname="AnchorBrowserApiKeyRejected", severity="critical",
                                job="anchorbrowser", exporter=exporter, reason="unauthorized"),
                           "The Anchor Browser API rejects the API key of %s (job anchorbrowser)"
                           % exporter, ["fail as unauthorized (401/403)"], prom_url)
        expect_inhibited(am_url, hook, since, "AnchorBrowserApiUnreachable", 1,
                         "AnchorBrowserApiKeyRejected")
        expect_inhibited(am_url, hook, since, "AnchorBrowserBatchFetchFailing", 4,
                         "AnchorBrowserApiKeyRejected")
        if API_KEY in json.dumps(hook.notifications()):
            raise Failure("the API key appears in a notification")
        since = hook.count()
        batches.reject_key(False)
        found = wait_for("AnchorBrowserApiKeyRejected resolved",
                         lambda: hook.find("AnchorBrowserApiKeyRejected", "resolved", since), 40)
        check_notification(found, "anchorbrowser-pager", "resolved",
                           dict(alertname="AnchorBrowserApiKeyRejected", severity="critical",
                                job="anchorbrowser", exporter=exporter, reason="unauthorized"),
                           "The Anchor Browser API rejects the API key of %s (job anchorbrowser)"
                           % exporter, [], prom_url)
        # Every batch is fetched again before the next scenario.
        wait_for("the fetch alerts to clear", lambda: not [
            a for a in am_alerts(am_url, "AnchorBrowserBatchFetchFailing")
            if a["status"]["state"] != "unprocessed"], 30)

        log("=== the API is unreachable")
        since = hook.count()
        api.send("down")
        found = wait_for("AnchorBrowserApiUnreachable delivered",
                         lambda: hook.find("AnchorBrowserApiUnreachable", "firing", since), 30)
        check_notification(found, "anchorbrowser-pager", "firing",
                           dict(alertname="AnchorBrowserApiUnreachable", severity="critical",
                                job="anchorbrowser", exporter=exporter),
                           "anchorbrowser_exporter %s (job anchorbrowser) cannot reach the Anchor "
                           "Browser API" % exporter, ["Every batch fetch of %s" % exporter], prom_url)
        expect_inhibited(am_url, hook, since, "AnchorBrowserBatchFetchFailing", 4,
                         "AnchorBrowserApiUnreachable")
        since = hook.count()
        api.send("up")
        found = wait_for("AnchorBrowserApiUnreachable resolved",
                         lambda: hook.find("AnchorBrowserApiUnreachable", "resolved", since), 30)
        check_notification(found, "anchorbrowser-pager", "resolved",
                           dict(alertname="AnchorBrowserApiUnreachable", severity="critical",
                                job="anchorbrowser", exporter=exporter),
                           "anchorbrowser_exporter %s (job anchorbrowser) cannot reach the Anchor "
                           "Browser API" % exporter, [], prom_url)
        n = hook.count()
        log("e2e alertmanager: PASS (%d notifications received)" % n)
        return 0
    except (Failure, subprocess.CalledProcessError, OSError) as e:
        print("FAIL: %s" % e)
        for name in ("exporter", "alertmanager", "prometheus"):
            print("--- %s log (tail)\n%s" % (name, procs.tail(name)))
        if 'hook' in locals():
            for path, payload in hook.notifications():
                print("received on %s: %s %s" % (path, payload["status"], [
                    (a["labels"].get("alertname"), a["labels"].get("batch_id"), a["status"])
                    for a in payload["alerts"]]))
        return 1
    finally:
        if batches:
            batches.stopped.set()
        procs.stop_all()
        if api:
            api.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
