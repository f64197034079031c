#!/usr/bin/env python3
"""Renders the mixin into files:
  render.py <out dir> [jsonnet arguments, e.g. --tla-str forAll=1s]
  render.py --prometheus-rule <file> [jsonnet arguments]

Runs jsonnet on build.jsonnet and writes each of its fields: *.json as JSON (2-space indent),
*.yml as YAML with multi-line expressions as literal blocks, both with a trailing newline.
With --prometheus-rule it writes one Prometheus Operator PrometheusRule object holding the
recording rules and the alerts instead (deploy/kubernetes/base/prometheusrule.yaml).
`make mixin` writes both; the tests render variants into temporary dirs.
"""
import json
import os
import subprocess
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = "# Generated from dashboards/mixin by `make mixin`: edit the mixin, not this file.\n"


class Dumper(yaml.SafeDumper):
    pass


def _str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


Dumper.add_representer(str, _str)


def evaluate(jsonnet_args=()):
    out = subprocess.run(["jsonnet", os.path.join(HERE, "build.jsonnet")] + list(jsonnet_args),
                         check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out)


def to_yaml(value):
    return HEADER + yaml.dump(value, Dumper=Dumper, sort_keys=False, width=100,
                              allow_unicode=True, default_flow_style=False)


def prometheus_rule(path, jsonnet_args=()):
    files = evaluate(jsonnet_args)
    obj = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {"name": "anchorbrowser-exporter"},
        "spec": {"groups": files["rules.yml"]["groups"] + files["alerts.yml"]["groups"]},
    }
    with open(path, "w") as f:
        f.write(to_yaml(obj))


def render(out_dir, jsonnet_args=()):
    files = evaluate(jsonnet_args)
    os.makedirs(out_dir, exist_ok=True)
    for name, value in sorted(files.items()):
        with open(os.path.join(out_dir, name), "w") as f:
            if name.endswith(".json"):
                f.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
            else:
                f.write(to_yaml(value))
    return sorted(files)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    if sys.argv[1] == "--prometheus-rule":
        prometheus_rule(sys.argv[2], sys.argv[3:])
        print(sys.argv[2])
        sys.exit(0)
    for name in render(sys.argv[1], sys.argv[2:]):
        print(os.path.join(sys.argv[1], name))
