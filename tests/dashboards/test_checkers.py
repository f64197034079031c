"""Unit tests of the static checkers (python3 -m unittest test_checkers): each must accept the
real files and reject a broken copy."""
import copy
import json
import os
import re
import shutil
import tempfile
import unittest

import yaml

import check_dashboard
import check_runbook
import check_scrape_config
import check_rule_tests

DASHBOARDS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "dashboards")


def load_yaml(name):
    with open(os.path.join(DASHBOARDS, name)) as f:
        return yaml.safe_load(f)


class DashboardTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(os.path.join(DASHBOARDS, "anchorbrowser-batches.json")) as f:
            cls.dash = json.load(f)

    def broken(self, mutate):
        d = copy.deepcopy(self.dash)
        mutate(d)
        return check_dashboard.check(d)

    def panel(self, d, title):
        return next(p for p in check_dashboard.panels_of(d["panels"]) if p.get("title") == title)

    def test_the_dashboard_is_clean(self):
        self.assertEqual(check_dashboard.check(self.dash), [])

    def test_a_panel_without_description(self):
        errors = self.broken(lambda d: self.panel(d, "Progress").pop("description"))
        self.assertTrue(any('"Progress": no description' in e for e in errors), errors)

    def test_a_selector_the_variables_do_not_filter(self):
        def drop_filter(d):
            t = self.panel(d, "Progress")["targets"][0]
            t["expr"] = t["expr"].replace(', batch_id=~"$batch_id"', "")
        errors = self.broken(drop_filter)
        self.assertTrue(any('lacks batch_id=~"$batch_id"' in e for e in errors), errors)

    def test_overlapping_panels_and_a_fixed_data_source(self):
        def mutate(d):
            self.panel(d, "Progress")["gridPos"] = dict(self.panel(d, "Failure ratio")["gridPos"])
            self.panel(d, "Phase")["datasource"] = {"type": "prometheus", "uid": "abc"}
        errors = self.broken(mutate)
        self.assertTrue(any("overlaps" in e for e in errors), errors)
        self.assertTrue(any('"Phase": data source' in e for e in errors), errors)

    def test_dashboard_linter_rules(self):
        def mutate(d):
            self.panel(d, "Progress")["fieldConfig"]["defaults"].pop("unit")
            t = self.panel(d, "Cache hits")["targets"][0]
            t["expr"] = t["expr"].replace("[$__rate_interval]", "[5m]")
            d["__inputs"] = [{"name": "DS_PROMETHEUS", "pluginId": "prometheus"}]
            for v in d["templating"]["list"]:
                if v["name"] == "job":
                    v["includeAll"] = False
                if v["name"] == "exporter":
                    v["multi"] = False
        errors = self.broken(mutate)
        for want in ('"Progress": no unit', "rate over [5m], not [$__rate_interval]",
                     "__inputs present", "templating: job has no all value",
                     "templating: exporter is not multi-select"):
            self.assertTrue(any(want in e for e in errors), (want, errors))

    def test_every_query_filters_by_the_exporter(self):
        def mutate(d):
            t = self.panel(d, "Exporter memory")["targets"][0]
            t["expr"] = t["expr"].replace(', exporter=~"$exporter"', "")
        errors = self.broken(mutate)
        self.assertTrue(any('lacks exporter=~"$exporter"' in e for e in errors), errors)

    def test_batch_id_must_be_multi_select(self):
        def mutate(d):
            for v in d["templating"]["list"]:
                if v["name"] == "batch_id":
                    v["multi"] = False
        self.assertIn("templating: batch_id is not multi-select", self.broken(mutate))


class RunbookTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.alerts = load_yaml("alerts.yml")
        with open(os.path.join(DASHBOARDS, "..", "docs", "runbook.md")) as f:
            cls.text = f.read()

    def test_every_alert_has_its_section(self):
        self.assertEqual(check_runbook.check(self.alerts, self.text), [])

    def test_a_missing_section_and_a_missing_url(self):
        text = self.text.replace("## AnchorBrowserBatchStuck\n", "## Something else\n")
        alerts = copy.deepcopy(self.alerts)
        alerts["groups"][0]["rules"][0]["annotations"].pop("runbook_url")
        errors = check_runbook.check(alerts, text)
        self.assertIn("AnchorBrowserBatchStuck: no '## AnchorBrowserBatchStuck' section in the "
                      "runbook", errors)
        self.assertIn("runbook section #something-else belongs to no alert", errors)
        self.assertTrue(any("runbook_url '' does not point" in e for e in errors), errors)

    def test_a_section_without_a_query(self):
        start = self.text.index("## AnchorBrowserBatchFailed")
        end = self.text.index("## AnchorBrowserBatchRetriesSpiking")
        section = self.text[start:end]
        text = self.text.replace(section, re.sub(r"```promql.*?```", "", section, flags=re.S))
        self.assertIn("AnchorBrowserBatchFailed: its section has no promql query to confirm it",
                      check_runbook.check(self.alerts, text))


class RuleTestCoverageTest(unittest.TestCase):
    def setUp(self):
        self.rules = [load_yaml("rules.yml"), load_yaml("alerts.yml")]
        tests_dir = os.path.join(DASHBOARDS, "tests")
        self.tests = [load_yaml(os.path.join("tests", n)) for n in sorted(os.listdir(tests_dir))
                      if n.endswith(".yml")]

    def test_the_tests_cover_every_rule(self):
        self.assertEqual(check_rule_tests.coverage_errors(self.rules, self.tests), [])

    def test_an_alert_without_a_silent_case(self):
        for doc in self.tests:
            for test in doc.get("tests", []):
                test["alert_rule_test"] = [
                    c for c in test.get("alert_rule_test", [])
                    if c["alertname"] != "AnchorBrowserBatchStuck" or c["exp_alerts"]]
        self.assertEqual(check_rule_tests.coverage_errors(self.rules, self.tests),
                         ["alert AnchorBrowserBatchStuck has no test where it stays silent"])

    def test_an_untested_alert_and_recording_rule(self):
        self.rules[1]["groups"][0]["rules"].append({"alert": "AnchorBrowserNew", "expr": "up"})
        self.rules[0]["groups"][0]["rules"].append({"record": "job:new:sum", "expr": "up"})
        errors = check_rule_tests.coverage_errors(self.rules, self.tests)
        self.assertIn("alert AnchorBrowserNew has no test where it fires", errors)
        self.assertIn("recording rule job:new:sum has no promql_expr_test", errors)


class ScrapeConfigTest(unittest.TestCase):
    """Runs promtool (about 2 s per /probe job)."""

    def test_relabeling_that_loses_the_batch_id_is_rejected(self):
        with open(os.path.join(DASHBOARDS, "prometheus.yml")) as f:
            text = f.read()
        # The sharded job without its `-> instance` rule: every probe gets the exporter's
        # address as instance.
        rule = ("      - source_labels: [__param_target]\n"
                "        target_label: instance\n"
                "      - source_labels: [__param_target]\n"
                "        modulus: 2\n")
        self.assertIn(rule, text)
        broken = text.replace(rule, "      - source_labels: [__param_target]\n"
                                    "        modulus: 2\n")
        # In a copy of dashboards/, for the relative rule and target file paths.
        with tempfile.TemporaryDirectory() as tmp:
            copy_dir = shutil.copytree(DASHBOARDS, os.path.join(tmp, "dashboards"))
            path = os.path.join(copy_dir, "prometheus.yml")
            with open(path, "w") as f:
                f.write(broken)
            errors = check_scrape_config.check(path)
        self.assertTrue(errors)
        self.assertTrue(all(e.startswith("anchorbrowser-probe-sharded: ") and "instance is" in e
                            for e in errors), errors)


if __name__ == "__main__":
    unittest.main()
