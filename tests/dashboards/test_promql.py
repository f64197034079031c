"""Unit tests of promql.py (python3 -m unittest test_promql)."""
import unittest

from promql import PromQLSyntaxError, metric_name, operands, selectors


class SelectorsTest(unittest.TestCase):
    def test_plain_and_matchers(self):
        self.assertEqual(selectors('up'), ['up'])
        self.assertEqual(selectors('up{job="a", instance=~"x|y"}'),
                         ['up{job="a", instance=~"x|y"}'])

    def test_functions_aggregations_and_label_lists(self):
        expr = ('sum by (job, instance) (rate(a_total{code=~"5.."}[5m])) / ignoring (code) '
                'group_left (x) sum without (state) (b) > bool 0.5')
        self.assertEqual(selectors(expr), ['a_total{code=~"5.."}', 'b'])
        self.assertEqual(selectors('sum(rate(c[1m])) by (le)'), ['c'])

    def test_group_modifiers_without_label_list(self):
        self.assertEqual(selectors('a / ignoring (c) group_left\nsum without (s) (b) > 0.5'),
                         ['a', 'b'])
        self.assertEqual(selectors('a * on (x) group_right b'), ['a', 'b'])

    def test_literals_durations_offsets_and_keywords(self):
        self.assertEqual(selectors('time() - a offset 5m > 86400'), ['a'])
        self.assertEqual(selectors('clamp_min(x, 1e3) * 0x10 and y or z unless inf'),
                         ['x', 'y', 'z'])
        self.assertEqual(selectors('max_over_time(a[5m:30s]) + b @ end()'), ['a', 'b'])

    def test_strings_and_comments_hide_their_content(self):
        self.assertEqual(selectors('label_replace(a, "dst", "$1", "src", "(not_a_metric)")'),
                         ['a'])
        self.assertEqual(selectors('a{x="}{b"} # c{d="e"}\n+ f'), ['a{x="}{b"}', 'f'])

    def test_recording_rule_names_and_bare_matchers(self):
        self.assertEqual(selectors('job:x:rate5m{a="b"} + {__name__="y"}'),
                         ['job:x:rate5m{a="b"}', '{__name__="y"}'])
        self.assertEqual(metric_name('job:x:rate5m{a="b"}'), 'job:x:rate5m')
        self.assertEqual(metric_name('{__name__="y", a="b"}'), 'y')
        self.assertIsNone(metric_name('{a="b"}'))

    def test_unbalanced_input_is_an_error(self):
        with self.assertRaises(PromQLSyntaxError):
            selectors('sum(a{b="c"')
        with self.assertRaises(PromQLSyntaxError):
            selectors('a{b="c}')


class OperandsTest(unittest.TestCase):
    def test_no_operator_is_its_own_operand(self):
        self.assertEqual(operands('sum by (a) (x == 1)'), ['sum by (a) (x == 1)'])
        self.assertEqual(operands(' (rate(x[5m])) '), ['rate(x[5m])'])

    def test_comparisons_drop_number_literals(self):
        self.assertEqual(operands('x > 0.25'), ['x'])
        self.assertEqual(operands('time() - a > 86400'), ['time() - a'])
        self.assertEqual(operands('a > bool 1e3'), ['a'])

    def test_set_operators_and_modifiers(self):
        expr = ('a == 0\nunless on (job, instance)\nb == 0')
        self.assertEqual(operands(expr), ['a', 'b'])
        expr = '(p and changes(p[15m]) == 0) and ignoring (x) group_left q == 1'
        self.assertEqual(operands(expr), ['p', 'changes(p[15m])', 'q'])
        self.assertEqual(operands('d > 10 and d > 0.1 * t'), ['d', 'd', '0.1 * t'])

    def test_words_inside_names_are_not_operators(self):
        self.assertEqual(operands('random_order + band'), ['random_order + band'])
        self.assertEqual(operands('x{state="and"} or y'), ['x{state="and"}', 'y'])


if __name__ == "__main__":
    unittest.main()
