#!/usr/bin/env python3
"""Static checks of a Grafana dashboard JSON (no Grafana needed): what makes it importable
and consistent. Usage: check_dashboard.py <dashboard.json>. Exit 0 when clean, 1 otherwise.

The rules of Grafana's dashboard-linter (not packaged in Debian), and what makes the file
importable:
- data source: a `datasource` variable of type datasource (Prometheus) that every panel,
  target, variable and annotation uses; no `__inputs` (an imported input would clash with it);
  uid, title, tags, a recent schemaVersion;
- templating: a multi-select `job` query variable with an all value, a multi-select
  exporter variable (`exporter`, the label the scrape recipes set, or `instance`) with an all
  value, and a multi-select `batch_id`;
- panels: unique ids, a non-empty description and a unit each, inside the 24-column grid
  without overlapping, every target with an expression and a refId unique in its panel;
- rates: every rate() and irate() range is $__rate_interval;
- filters: every selector carries job=~"$job" and the exporter matcher (exporter=~"$exporter"
  or instance=~"$instance"), and the per-batch ones batch_id=~"$batch_id", so that the
  variables really filter every panel.
"""
import json
import re
import sys

from promql import PromQLSyntaxError, metric_name, selectors

MIN_SCHEMA_VERSION = 36  # Grafana 9.4+
EXPORTER_LABELS = ("exporter", "instance")
RATE_RANGE = re.compile(r"\b(?:i?rate)\s*\((?:[^()\[]|\([^()]*\))*\[([^\]]*)\]")


def panels_of(panels):
    for p in panels:
        yield p
        yield from panels_of(p.get("panels", []))


def check(dash):
    errors = []
    err = errors.append
    if dash.get("__inputs"):
        err("__inputs present: the datasource variable selects the data source")
    ds_ref = "${datasource}"
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
        if uid not in (ds_ref, "$datasource"):
            err("%s: data source %r, expected %s" % (where, uid, ds_ref))

    variables = {v.get("name"): v for v in dash.get("templating", {}).get("list", [])}
    ds_var = variables.get("datasource", {})
    if ds_var.get("type") != "datasource" or ds_var.get("query") != "prometheus":
        err("templating: no datasource variable of type datasource for prometheus")
    exporter = next((n for n in EXPORTER_LABELS if n in variables), None)
    if exporter is None:
        err("templating: no exporter variable (%s)" % " or ".join(EXPORTER_LABELS))
    for name in ("job", exporter or EXPORTER_LABELS[0], "batch_id"):
        v = variables.get(name)
        if v is None or v.get("type") != "query":
            err("templating: no query variable %s" % name)
            continue
        uses_ds("variable " + name, v)
        if v.get("multi") is not True:
            err("templating: %s is not multi-select" % name)
        if v.get("includeAll") is not True or not v.get("allValue"):
            err("templating: %s has no all value" % name)
    needed_labels = ["job", exporter or EXPORTER_LABELS[0]]

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
        if not p.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            err(where + ": no unit")
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
                              for e in filter_errors(t["expr"], needed_labels))
    for a in dash.get("annotations", {}).get("list", []):
        if a.get("expr"):
            uses_ds('annotation "%s"' % a.get("name"), a)
            errors.extend('annotation "%s": %s' % (a.get("name"), e)
                          for e in filter_errors(a["expr"], needed_labels))
    return errors


def filter_errors(expr, needed_labels):
    """Selectors in `expr` that the dashboard variables would not filter, and rates over
    another range than $__rate_interval."""
    out = ["%s over [%s], not [$__rate_interval]" % (m.group(0).split("(")[0], m.group(1))
           for m in RATE_RANGE.finditer(expr) if m.group(1).strip() != "$__rate_interval"]
    try:
        sels = selectors(expr)
    except PromQLSyntaxError as e:
        return out + [str(e)]
    for s in sels:
        name = metric_name(s) or ""
        needed = list(needed_labels)
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
