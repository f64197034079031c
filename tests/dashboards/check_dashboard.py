#!/usr/bin/env python3
"""Static checks of a Grafana dashboard JSON (no Grafana needed): what makes it importable
and consistent. Usage: check_dashboard.py <dashboard.json>. Exit 0 when clean, 1 otherwise.

- importable: __inputs names a Prometheus data source, every panel, target, variable and
  annotation uses it; uid, title, tags, a recent schemaVersion;
- templating: job, instance and multi-select batch_id query variables;
- panels: unique ids, a non-empty description each, inside the 24-column grid without
  overlapping, every target with an expression and a refId unique in its panel;
- filters: every selector of an exporter metric or recording rule carries job=~"$job" and
  instance=~"$instance", and the per-batch ones batch_id=~"$batch_id", so that the variables
  really filter every panel.
"""
import json
import re
import sys

from promql import PromQLSyntaxError, metric_name, selectors

MIN_SCHEMA_VERSION = 36  # Grafana 9.4+
REQUIRED_VARIABLES = ("job", "instance", "batch_id")


def panels_of(panels):
    for p in panels:
        yield p
        yield from panels_of(p.get("panels", []))


def check(dash):
    errors = []
    err = errors.append
    inputs = {i.get("name"): i for i in dash.get("__inputs", [])}
    ds_input = next((n for n, i in inputs.items() if i.get("pluginId") == "prometheus"), None)
    if ds_input is None:
        err("__inputs has no Prometheus data source")
    ds_ref = "${%s}" % ds_input
    for key in ("uid", "title"):
        if not dash.get(key):
            err("missing %s" % key)
    if not dash.get("tags"):
        err("no tags")
    if dash.get("schemaVersion", 0) < MIN_SCHEMA_VERSION:
        err("schemaVersion %s < %d" % (dash.get("schemaVersion"), MIN_SCHEMA_VERSION))

    def uses_ds(where, obj):
        ds = obj.get("datasource")
        uid = ds.get("uid") if isinstance(ds, dict) else ds
        if uid != ds_ref:
            err("%s: data source %r, expected %s" % (where, uid, ds_ref))

    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    for name in REQUIRED_VARIABLES:
        v = variables.get(name)
        if v is None or v.get("type") != "query":
            err("templating: no query variable %s" % name)
            continue
        uses_ds("variable " + name, v)
    if variables.get("batch_id", {}).get("multi") is not True:
        err("templating: batch_id is not multi-select")

    ids, cells = set(), {}
    for p in panels_of(dash.get("panels", [])):
        where = 'panel %s "%s"' % (p.get("id"), p.get("title"))
        if p.get("id") in ids:
            err(where + ": duplicate id")
        ids.add(p.get("id"))
        if not str(p.get("description", "")).strip():
            err(where + ": no description")
        g = p.get("gridPos", {})
        if not all(isinstance(g.get(k), int) for k in "xywh") or g["x"] + g["w"] > 24:
            err(where + ": gridPos %s outside the 24-column grid" % g)
        else:
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    if (x, y) in cells:
                        err("%s overlaps %s at (%d, %d)" % (where, cells[(x, y)], x, y))
                        break
                    cells[(x, y)] = where
                else:
                    continue
                break
        if p.get("type") == "row":
            continue
        uses_ds(where, p)
        targets = p.get("targets", [])
        if not targets:
            err(where + ": no query")
        refs = [t.get("refId") for t in targets]
        if len(set(refs)) != len(refs) or not all(refs):
            err(where + ": refIds %s are not unique" % refs)
        for t in targets:
            uses_ds("%s (%s)" % (where, t.get("refId")), t)
            if not t.get("expr", "").strip():
                err("%s (%s): no expression" % (where, t.get("refId")))
            else:
                errors.extend("%s (%s): %s" % (where, t.get("refId"), e)
                              for e in filter_errors(t["expr"]))
    for a in dash.get("annotations", {}).get("list", []):
        if a.get("expr"):
            uses_ds('annotation "%s"' % a.get("name"), a)
            errors.extend('annotation "%s": %s' % (a.get("name"), e)
                          for e in filter_errors(a["expr"]))
    return errors


def filter_errors(expr):
    """Selectors in `expr` that the dashboard variables would not filter."""
    try:
        sels = selectors(expr)
    except PromQLSyntaxError as e:
        return [str(e)]
    out = []
    for s in sels:
        name = metric_name(s) or ""
        needed = ["job", "instance"]
        if name.startswith("anchorbrowser_batch_") or name.startswith("batch:"):
            needed.append("batch_id")
        for label in needed:
            if not re.search(r'\b%s\s*=~\s*"\$%s"' % (label, label), s):
                out.append('%s lacks %s=~"$%s"' % (s, label, label))
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    with open(sys.argv[1]) as f:
        dash = json.load(f)
    errors = check(dash)
    for e in errors:
        print("FAIL " + e)
    n = sum(1 for p in panels_of(dash.get("panels", [])) if p.get("type") != "row")
    print("%s: %d panels, %d problems" % (sys.argv[1], n, len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
