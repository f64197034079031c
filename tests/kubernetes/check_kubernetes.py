#!/usr/bin/env python3
"""deploy/kubernetes: render the kustomize base and the overlays with kubectl, then check what a
cluster would reject or silently get wrong, and run the real exporter on the rendered config.

Usage: check_kubernetes.py --kubectl BIN --exporter BIN --source DIR

- kubectl kustomize renders deploy/kubernetes/base and every deploy/kubernetes/overlays/*;
  the kustomization files use only fields kustomize v2.0.3 knows;
- names: DNS-1123, at most 63 characters; every object of the base carries the common label;
- Deployment: selector matches its pod labels; non-root (runAsUser = the Dockerfile's USER),
  read-only root file system, no privilege escalation, capabilities dropped, resources set;
  liveness on /-/healthy and readiness on /-/ready through a declared container port; the API
  key from a Secret, in the variable the config's anchor.api_key_env names; the ConfigMap
  mounted where the Dockerfile's ENTRYPOINT reads --config.file; the image name is the one the
  Dockerfile is built as;
- Service selects the pods, its targetPort names a container port; ServiceMonitor selects the
  Service, scrapes one of its ports on /metrics and sets the exporter label; PrometheusRule
  holds the mixin's groups; the Probe example points at the Service's name and port;
- the exporter binary runs on the rendered config and web config (with a basic-auth user
  added, as an overlay would): the probe paths answer 200 without credentials, /metrics 401.
"""
import argparse
import base64
import copy
import shutil
import glob
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml

V203_FIELDS = {"resources", "bases", "commonLabels", "configMapGenerator", "images",
               "patchesStrategicMerge", "namespace", "namePrefix", "commonAnnotations"}
DNS1123 = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
COMMON = ("app.kubernetes.io/name", "anchorbrowser-exporter")


def render(kubectl, path):
    out = subprocess.run([kubectl, "kustomize", path], check=True, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def subset(small, big):
    return all(big.get(k) == v for k, v in (small or {}).items())


class Checker:
    def __init__(self):
        self.failures = []

    def expect(self, ok, message):
        if not ok:
            self.failures.append(message)
        return ok


def dockerfile_facts(path):
    text = open(path).read()
    user = re.findall(r"^USER\s+(\d+)", text, re.M)
    entry = re.search(r"--config\.file=([^\"\s]+)", text)
    image = re.search(r"docker build .*-t (\S+) \.", text)
    return {"uid": int(user[-1]) if user else None, "config": entry.group(1) if entry else None,
            "image": image.group(1) if image else None}


def check_objects(c, docs, facts, source):
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)
        name = d["metadata"]["name"]
        c.expect(DNS1123.match(name) and len(name) <= 63, "%s %r is not a DNS-1123 name" % (d["kind"], name))
        c.expect(d["metadata"].get("labels", {}).get(COMMON[0]) == COMMON[1],
                 "%s %s lacks the label %s=%s" % (d["kind"], name, *COMMON))
    for kind in ("Deployment", "Service", "ConfigMap", "ServiceMonitor", "PrometheusRule"):
        c.expect(len(by_kind.get(kind, [])) == 1, "expected one %s, got %d" % (kind, len(by_kind.get(kind, []))))
    dep, svc = by_kind["Deployment"][0], by_kind["Service"][0]
    cm, sm = by_kind["ConfigMap"][0], by_kind["ServiceMonitor"][0]
    pod = dep["spec"]["template"]
    pod_labels = pod["metadata"]["labels"]
    c.expect(subset(dep["spec"]["selector"]["matchLabels"], pod_labels),
             "the Deployment's selector does not match its pod labels")
    spec = pod["spec"]
    sec = spec.get("securityContext", {})
    c.expect(sec.get("runAsNonRoot") is True, "the pod does not require runAsNonRoot")
    c.expect(sec.get("runAsUser") == facts["uid"],
             "runAsUser %s is not the Dockerfile's USER %s" % (sec.get("runAsUser"), facts["uid"]))
    (ctr,) = spec["containers"]
    csec = ctr.get("securityContext", {})
    c.expect(csec.get("readOnlyRootFilesystem") is True, "the root file system is not read-only")
    c.expect(csec.get("allowPrivilegeEscalation") is False, "privilege escalation is allowed")
    c.expect("ALL" in csec.get("capabilities", {}).get("drop", []), "capabilities are not dropped")
    res = ctr.get("resources", {})
    c.expect(res.get("requests", {}).get("memory") and res.get("limits", {}).get("memory"),
             "no memory request and limit")
    ports = {p["name"]: p["containerPort"] for p in ctr.get("ports", [])}
    for probe, path in (("livenessProbe", "/-/healthy"), ("readinessProbe", "/-/ready")):
        get = ctr.get(probe, {}).get("httpGet", {})
        c.expect(get.get("path") == path, "%s path %r, expected %s" % (probe, get.get("path"), path))
        c.expect(get.get("port") in ports or get.get("port") in ports.values(),
                 "%s port %r is not a container port" % (probe, get.get("port")))
    image = ctr["image"]
    repo = image.rsplit("@", 1)[0]
    repo = repo.rsplit(":", 1)[0] if ":" in repo.rsplit("/", 1)[-1] else repo
    c.expect(repo.rsplit("/", 1)[-1] == facts["image"],
             "image %s is not the Dockerfile's %s" % (image, facts["image"]))
    # The config file where the ENTRYPOINT reads it, from the generated ConfigMap.
    mounts = {m["name"]: m["mountPath"] for m in ctr.get("volumeMounts", [])}
    vols = {v["name"]: v.get("configMap", {}).get("name") for v in spec.get("volumes", [])}
    cfg_dir, cfg_file = os.path.split(facts["config"])
    vol = next((n for n, p in mounts.items() if p == cfg_dir), None)
    c.expect(vol is not None and vols.get(vol) == cm["metadata"]["name"],
             "no ConfigMap %s mounted at %s" % (cm["metadata"]["name"], cfg_dir))
    c.expect(cfg_file in cm["data"], "the ConfigMap has no %s" % cfg_file)
    config = yaml.safe_load(cm["data"].get(cfg_file, "{}"))
    key_env = config.get("anchor", {}).get("api_key_env", "ANCHORBROWSER_API_KEY")
    env = {e["name"]: e for e in ctr.get("env", [])}
    c.expect("secretKeyRef" in env.get(key_env, {}).get("valueFrom", {}),
             "%s (anchor.api_key_env) does not come from a Secret" % key_env)
    for arg in ctr.get("args", []):
        m = re.match(r"--web\.config\.file=(.*)", arg)
        if m:
            d, f = os.path.split(m.group(1))
            c.expect(d == cfg_dir and f in cm["data"], "the web config %s is not in the ConfigMap" % m.group(1))
    # Service and ServiceMonitor.
    c.expect(subset(svc["spec"]["selector"], pod_labels), "the Service does not select the pods")
    svc_ports = {p["name"]: p for p in svc["spec"]["ports"]}
    for p in svc_ports.values():
        c.expect(p["targetPort"] in ports or p["targetPort"] in ports.values(),
                 "Service port %s targets %r, no container port" % (p["name"], p["targetPort"]))
    c.expect(subset(sm["spec"]["selector"]["matchLabels"], svc["metadata"]["labels"]),
             "the ServiceMonitor does not select the Service")
    for ep in sm["spec"]["endpoints"]:
        c.expect(ep.get("port") in svc_ports, "ServiceMonitor port %r is not a Service port" % ep.get("port"))
        c.expect(ep.get("path", "/metrics") == "/metrics", "ServiceMonitor path %s" % ep.get("path"))
        c.expect(any(r.get("targetLabel") == "exporter" for r in ep.get("relabelings", [])),
                 "the ServiceMonitor does not set the exporter label")
    # The PrometheusRule is the mixin's.
    groups = by_kind["PrometheusRule"][0]["spec"]["groups"]
    want = [g["name"] for n in ("rules.yml", "alerts.yml")
            for g in yaml.safe_load(open(os.path.join(source, "dashboards", n)))["groups"]]
    c.expect([g["name"] for g in groups] == want, "PrometheusRule groups %s, expected %s"
             % ([g["name"] for g in groups], want))
    return dep, svc, cm


def check_probe_example(c, path, svc):
    (probe,) = [d for d in yaml.safe_load_all(open(path)) if d]
    c.expect(probe["kind"] == "Probe", "the probe example is a %s" % probe["kind"])
    url = probe["spec"]["prober"]["url"]
    port = svc["spec"]["ports"][0]["port"]
    c.expect(url == "%s:%d" % (svc["metadata"]["name"], port),
             "the Probe's prober.url %s is not the Service (%s:%d)" % (url, svc["metadata"]["name"], port))
    c.expect(probe["spec"]["prober"].get("path") == "/probe", "the Probe's path is not /probe")
    c.expect(any(r.get("targetLabel") == "exporter" for r in
                 probe["spec"]["targets"]["staticConfig"].get("relabelingConfigs", [])),
             "the Probe does not set the exporter label")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def status(url, auth=None):
    req = urllib.request.Request(url)
    if auth:
        req.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(req, timeout=3) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def run_exporter(c, exporter, cm):
    """The rendered config and web config (plus a basic-auth user) on the real binary."""
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in cm["data"].items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        web_path = os.path.join(tmp, "web-config.yml")
        web = yaml.safe_load(open(web_path)) or {}
        hashed = subprocess.run(["htpasswd", "-nbBC", "5", "", "pw"], check=True,
                                stdout=subprocess.PIPE, text=True).stdout.strip().lstrip(":")
        web["basic_auth_users"] = {"prometheus": hashed}
        with open(web_path, "w") as f:
            yaml.safe_dump(web, f)
        for _ in range(3):
            port = free_port()
            p = subprocess.Popen([exporter, "--config.file=" + os.path.join(tmp, "config.yaml"),
                                  "--web.config.file=" + web_path,
                                  "--web.listen-address=127.0.0.1:%d" % port],
                                 env=dict(os.environ, ANCHORBROWSER_API_KEY="k8s-check-dummy-key"),
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            try:
                base = "http://127.0.0.1:%d" % port
                for _ in range(50):
                    if p.poll() is not None:
                        break
                    try:
                        got = {path: status(base + path) for path in ("/-/healthy", "/-/ready")}
                        break
                    except (urllib.error.URLError, ConnectionError):
                        time.sleep(0.1)
                else:
                    continue
                if p.poll() is not None:
                    c.expect(False, "the exporter exited on the rendered config: %s" % p.stdout.read())
                    return
                for path, code in got.items():
                    c.expect(code == 200, "%s answers %d without credentials (kubelet probes "
                                          "send none)" % (path, code))
                c.expect(status(base + "/metrics") == 401, "/metrics is open without credentials")
                c.expect(status(base + "/metrics", "prometheus:pw") == 200,
                         "/metrics refuses the added user")
                print("exporter on the rendered config: /-/healthy %(/-/healthy)d, /-/ready "
                      "%(/-/ready)d without credentials" % got)
                return
            finally:
                if p.poll() is None:
                    p.terminate()
                    p.wait(5)
        c.expect(False, "the exporter did not start")


def check_can_fail(docs, facts, source):
    """Broken copies of the base must be reported: the checks are not vacuous."""
    def kind(ds, k):
        return next(d for d in ds if d["kind"] == k)
    mutations = {
        "readinessProbe path '/ready', expected /-/ready":
            lambda ds: kind(ds, "Deployment")["spec"]["template"]["spec"]["containers"][0]
            ["readinessProbe"]["httpGet"].update(path="/ready"),
        "the Service does not select the pods":
            lambda ds: kind(ds, "Service")["spec"]["selector"].update({COMMON[0]: "other"}),
        "is not the Dockerfile's":
            lambda ds: kind(ds, "Deployment")["spec"]["template"]["spec"]["containers"][0]
            .update(image="example/other-exporter:1"),
        "is not a Service port":
            lambda ds: kind(ds, "ServiceMonitor")["spec"]["endpoints"][0].update(port="metrics"),
        "the root file system is not read-only":
            lambda ds: kind(ds, "Deployment")["spec"]["template"]["spec"]["containers"][0]
            ["securityContext"].pop("readOnlyRootFilesystem"),
    }
    missed = []
    for want, mutate in mutations.items():
        broken = copy.deepcopy(docs)
        mutate(broken)
        c = Checker()
        check_objects(c, broken, facts, source)
        if not any(want in f for f in c.failures):
            missed.append("a broken copy went unnoticed (expected %r, got %s)" % (want, c.failures))
    print("%d broken copies of the base rejected" % (len(mutations) - len(missed)))
    return missed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kubectl", required=True)
    ap.add_argument("--exporter", required=True)
    ap.add_argument("--source", required=True)
    args = ap.parse_args()
    if not shutil.which(args.kubectl):
        print("SKIP: kubectl not found (Debian kubernetes-client, or the machine's kubectl)")
        return 77
    c = Checker()
    k8s = os.path.join(args.source, "deploy", "kubernetes")
    facts = dockerfile_facts(os.path.join(args.source, "Dockerfile"))
    c.expect(all(facts.values()), "could not read USER, --config.file and -t from the Dockerfile: %s" % facts)
    for kfile in glob.glob(os.path.join(k8s, "**", "kustomization.yaml"), recursive=True):
        unknown = set(yaml.safe_load(open(kfile))) - V203_FIELDS
        c.expect(not unknown, "%s uses fields kustomize v2.0.3 does not know: %s"
                 % (os.path.relpath(kfile, k8s), sorted(unknown)))
    docs = render(args.kubectl, os.path.join(k8s, "base"))
    print("base: %s" % ", ".join("%s/%s" % (d["kind"], d["metadata"]["name"]) for d in docs))
    dep, svc, cm = check_objects(c, docs, facts, args.source)
    for overlay in sorted(glob.glob(os.path.join(k8s, "overlays", "*"))):
        odocs = render(args.kubectl, overlay)
        check_objects(c, odocs, facts, args.source)
        print("overlay %s: %d objects" % (os.path.basename(overlay), len(odocs)))
    check_probe_example(c, os.path.join(k8s, "examples", "probe.yaml"), svc)
    run_exporter(c, args.exporter, cm)
    c.failures.extend(check_can_fail(docs, facts, args.source))
    for f in c.failures:
        print("FAIL " + f)
    print("%d problems" % len(c.failures))
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
