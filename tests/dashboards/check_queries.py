#!/usr/bin/env python3
"""Evaluates every PromQL expression of a Grafana dashboard and of Prometheus rule files
against a running Prometheus that scrapes anchorbrowser_exporter, through the HTTP API.

What counts as a pass, for each expression (panel target, annotation, template variable,
recording rule, alerting rule):
  1. Prometheus evaluates it without error (so it parses and its vector matching works).
  2. Every vector selector in it names a metric the exporter really serves (read from the
     exporter's own /metrics), a series a rule file records, or a series Prometheus writes
     itself (up, scrape_*, ALERTS); and the selector, with all its label matchers, returns
     series. This is the core check: a misspelt metric, label or label value fails here.
  3. It returns data. Panel targets, annotations and recording rules must return data as a
     whole. An alerting rule is a condition that is legitimately false in a healthy demo, so
     instead each operand of its top-level comparison and set operators (and, or, unless,
     >, ==, ...) must return data: `x > 0.25 and y >= 10` needs `x` and `y` to have series.
     The full condition is still evaluated (step 1), and whether it holds is printed.

Dashboard variables are resolved as Grafana would: each query variable is evaluated in order
(label_values(selector, label) through the label values API), single-value variables take the
first value and multi-value ones a regex of all values; $__rate_interval, $__interval and
$__range get the values given on the command line.

With --health, it also checks that Prometheus scrapes the exporter's job without error, that
every loaded rule evaluates without error, and that Prometheus counted no rejected sample.

Exit status: 0 all checks passed, 1 a check failed, 2 bad usage or Prometheus unreachable.
Standard library plus PyYAML (Debian: python3-yaml) for the rule files.
"""
import argparse
import json
import re
import sys

import yaml

from prometheus_api import (PROMETHEUS_SERIES, Prometheus, Unreachable, check_health,
                            exported_names, wait_until_ready)
from promql import PromQLSyntaxError, metric_name, operands, selectors

# ---------------------------------------------------------------------------- collecting ---

class Query:
    def __init__(self, where, expr, kind):
        self.where = where    # human-readable origin, e.g. dashboard panel "Progress" (A)
        self.expr = expr      # as written, variables not yet substituted
        self.kind = kind      # "panel", "annotation", "variable", "record" or "alert"


def dashboard_panels(panels):
    for p in panels:
        yield p
        yield from dashboard_panels(p.get("panels", []))


def variable_query_text(var):
    q = var.get("query")
    if isinstance(q, dict):
        q = q.get("query")
    return q or var.get("definition") or ""


def dashboard_queries(path):
    with open(path) as f:
        dash = json.load(f)
    queries = []
    for p in dashboard_panels(dash.get("panels", [])):
        for t in p.get("targets", []):
            if t.get("expr"):
                queries.append(Query('dashboard panel "%s" (%s)' % (p.get("title"),
                                                                     t.get("refId")),
                                     t["expr"], "panel"))
    for a in dash.get("annotations", {}).get("list", []):
        if a.get("expr"):
            queries.append(Query('dashboard annotation "%s"' % a.get("name"), a["expr"],
                                 "annotation"))
    variables = [v for v in dash.get("templating", {}).get("list", []) if v.get("type") == "query"]
    return queries, variables


def rule_queries(paths):
    queries, records = [], set()
    for path in paths:
        with open(path) as f:
            doc = yaml.safe_load(f) or {}
        for group in doc.get("groups", []):
            for rule in group.get("rules", []):
                if "record" in rule:
                    records.add(rule["record"])
                    queries.append(Query('%s: record %s' % (path, rule["record"]),
                                         str(rule["expr"]), "record"))
                else:
                    queries.append(Query('%s: alert %s' % (path, rule["alert"]),
                                         str(rule["expr"]), "alert"))
    return queries, records


# -------------------------------------------------------------------------- substituting ---

def regex_escape(value):
    """A value as a literal in a PromQL regex inside a double-quoted string."""
    return re.sub(r'([\\.+*?()|\[\]{}^$])', r'\\\\\1', value)


class Variables:
    def __init__(self, builtins):
        self.values = dict(builtins)   # name -> substituted text

    def substitute(self, expr):
        """`expr` with $name, ${name}, ${name:format} and [[name]] replaced; raises KeyError
        for an unknown variable. $1-style references (label_replace) stay as they are."""
        def repl(m):
            name = m.group(1) or m.group(2) or m.group(3)
            if name.isdigit():
                return m.group(0)
            if name not in self.values:
                raise KeyError(name)
            return self.values[name]
        return re.sub(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)", repl, expr)

    def resolve(self, prom, var):
        """Evaluates a query variable, stores its value; returns (values, selector or None)."""
        text = self.substitute(variable_query_text(var))
        m = re.fullmatch(r"\s*label_values\(\s*(?:(.*),\s*)?(\w+)\s*\)\s*", text, re.S)
        selector = None
        if m:
            selector = m.group(1)
            values, err = prom.label_values(m.group(2), selector)
        else:
            m = re.fullmatch(r"\s*query_result\((.*)\)\s*", text, re.S)
            result, err = prom.query(m.group(1) if m else text)
            values = None if err else sorted({json.dumps(r.get("metric", {}))
                                              for r in result})
        if err:
            raise ValueError("variable $%s (%s): %s" % (var["name"], text, err))
        if not values:
            raise ValueError("variable $%s (%s) has no values" % (var["name"], text))
        values = sorted(values)
        if var.get("multi") or var.get("includeAll"):
            self.values[var["name"]] = "(" + "|".join(regex_escape(v) for v in values) + ")"
        else:
            self.values[var["name"]] = regex_escape(values[0])
        return values, selector


# ------------------------------------------------------------------------------ checking ---

class Checker:
    def __init__(self, prom, exported, records, verbose=False):
        self.prom = prom
        self.exported = exported
        self.records = records
        self.verbose = verbose
        self.failures = []
        self.selector_results = {}
        self.checked_queries = 0

    def fail(self, where, message):
        self.failures.append("%s: %s" % (where, message))

    def check_selector(self, where, selector):
        name = metric_name(selector)
        if name is None:
            self.fail(where, "selector %s names no metric" % selector)
            return
        if name not in self.exported and name not in self.records \
                and name not in PROMETHEUS_SERIES:
            self.fail(where, "%s is not a metric the exporter serves, nor recorded by a rule, "
                             "nor written by Prometheus" % name)
        if selector not in self.selector_results:
            self.selector_results[selector] = self.prom.query(selector)
        result, err = self.selector_results[selector]
        if err:
            self.fail(where, "selector %s does not evaluate: %s" % (selector, err))
        elif not result:
            self.fail(where, "selector %s returns no series" % selector)

    def check(self, q, expr):
        """Checks one expression whose variables are substituted already."""
        self.checked_queries += 1
        try:
            sels = selectors(expr)
            parts = operands(expr) if q.kind == "alert" else [expr]
            # absent(x) rightly has no data while x has: x must have data.
            m = re.fullmatch(r"\s*absent\((.*)\)\s*", expr, re.S)
            if q.kind == "alert" and m:
                parts = [m.group(1)]
        except PromQLSyntaxError as e:
            self.fail(q.where, str(e))
            return
        result, err = self.prom.query(expr)
        if err:
            self.fail(q.where, "does not evaluate: %s\n    %s" % (err, expr))
            return
        if not sels:
            self.fail(q.where, "has no vector selector: %s" % expr)
        for s in sels:
            self.check_selector(q.where, s)
        if q.kind == "alert":
            for part in parts:
                part_result, part_err = self.prom.query(part)
                if part_err or not part_result:
                    self.fail(q.where, "operand returns no data (%s): %s"
                              % (part_err or "empty", part.strip()))
            if self.verbose:
                print("  %s: condition %s now" % (q.where, "holds" if result else "is false"))
        elif not result:
            self.fail(q.where, "returns no data: %s" % expr)


def check_dashboard(prom, checker, path, args):
    """Resolves the dashboard's variables, then checks each of its queries."""
    queries, variables = dashboard_queries(path)
    env = Variables({"__rate_interval": args.rate_interval, "__interval": args.interval,
                     "__range": args.range})
    for var in variables:
        where = '%s: variable $%s' % (path, var["name"])
        try:
            _, selector = env.resolve(prom, var)
        except (ValueError, KeyError) as e:
            checker.fail(where, str(e))
            env.values[var["name"]] = ".+"  # go on, to report the other problems
            continue
        if selector:
            checker.check_selector(where, selector)
        if args.verbose:
            print("  $%s = %s" % (var["name"], env.values[var["name"]]))
    for q in queries:
        try:
            expr = env.substitute(q.expr)
        except KeyError as e:
            checker.fail(q.where, "uses undefined variable $%s" % e.args[0])
            continue
        checker.check(q, expr)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prometheus", required=True, help="Prometheus base URL")
    ap.add_argument("--exporter", required=True, help="the exporter's metrics URL")
    ap.add_argument("--dashboard", action="append", default=[], help="Grafana dashboard JSON")
    ap.add_argument("--rules", action="append", default=[], help="Prometheus rule file")
    ap.add_argument("--rate-interval", default="4s", help="value of $__rate_interval")
    ap.add_argument("--interval", default="1s", help="value of $__interval")
    ap.add_argument("--range", default="1m", help="value of $__range")
    ap.add_argument("--health", metavar="JOB", help="also check Prometheus' view of this job")
    ap.add_argument("--wait", type=float, default=0, metavar="SECONDS",
                    help="first wait this long at most for --min-scrapes of the --health job "
                         "and for every recording rule to have series")
    ap.add_argument("--min-scrapes", type=int, default=5)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.wait and not args.health:
        ap.error("--wait needs --health JOB")

    prom = Prometheus(args.prometheus)
    try:
        rules, records = rule_queries(args.rules)
        exported = exported_names(args.exporter)
        if not exported:
            print("the exporter at %s serves no metric" % args.exporter)
            return 1
        if args.wait:
            missing = wait_until_ready(prom, args.health, records, args.min_scrapes, args.wait)
            if missing:
                print("not ready after %gs, missing: %s" % (args.wait, "; ".join(missing)))
                return 1
        checker = Checker(prom, exported, records, args.verbose)
        for path in args.dashboard:
            check_dashboard(prom, checker, path, args)
        for q in rules:
            checker.check(q, q.expr)
        failures = checker.failures
        if args.health:
            failures += check_health(prom, args.health, len(rules))
    except Unreachable as e:
        print("cannot query: %s" % e)
        return 2
    for f in failures:
        print("FAIL " + f)
    print("%d expressions and %d distinct selectors checked, %d failures"
          % (checker.checked_queries, len(checker.selector_results), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
