#!/usr/bin/env python3
"""Checks that the promtool unit tests cover the rule files: every alert has a test where it
fires (exp_alerts not empty) and one where it stays silent (exp_alerts empty), and every
recording rule is the expression of a promql_expr_test. Whether the tests pass is promtool's
job (promtool test rules); this only guards against an alert or rule without a test.

Usage: check_rule_tests.py --rules <file>... --tests <file>...   Exit 0 when covered, else 1.
Needs PyYAML (Debian: python3-yaml).
"""
import argparse
import sys

import yaml


def load(path):
    with open(path) as f:
        return yaml.safe_load(f) or {}


def coverage_errors(rule_docs, test_docs):
    alerts, records = [], []
    for doc in rule_docs:
        for group in doc.get("groups", []):
            for rule in group.get("rules", []):
                (alerts if "alert" in rule else records).append(rule.get("alert")
                                                                or rule.get("record"))
    firing, silent, exprs = set(), set(), set()
    for doc in test_docs:
        for test in doc.get("tests", []):
            for case in test.get("alert_rule_test", []):
                (firing if case.get("exp_alerts") else silent).add(case.get("alertname"))
            for case in test.get("promql_expr_test", []):
                exprs.add(str(case.get("expr", "")).strip())
    errors = []
    for a in alerts:
        if a not in firing:
            errors.append("alert %s has no test where it fires" % a)
        if a not in silent:
            errors.append("alert %s has no test where it stays silent" % a)
    for r in records:
        if r not in exprs:
            errors.append("recording rule %s has no promql_expr_test" % r)
    known = set(alerts)
    for a in sorted((firing | silent) - known):
        errors.append("tests name alert %s, which no rule file defines" % a)
    if not alerts and not records:
        errors.append("the rule files hold no rule")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rules", nargs="+", required=True)
    ap.add_argument("--tests", nargs="+", required=True)
    args = ap.parse_args()
    errors = coverage_errors([load(p) for p in args.rules], [load(p) for p in args.tests])
    for e in errors:
        print("FAIL " + e)
    print("rule test coverage: %d problems" % len(errors))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
