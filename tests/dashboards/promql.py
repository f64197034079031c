"""Just enough PromQL lexing to find the vector selectors of an expression and to split an
expression at its top-level comparison and set operators. Not a parser: Prometheus itself
parses every expression in the end-to-end test; this only tells which parts to evaluate.

Standard library only.
"""
import re

_IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_NUMBER = re.compile(r"(0[xX][0-9a-fA-F]+|[0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)[A-Za-z0-9_]*")
# Words that are never metric names: operators, modifiers and the float literals.
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "atan2", "start", "end"}
# Followed by a parenthesised label list, not by an expression.
_LABEL_LIST = {"by", "without", "on", "ignoring", "group_left", "group_right"}
# The group modifiers may also stand without a label list: `a / ignoring (x) group_left b`.
_GROUP_MODIFIERS = {"group_left", "group_right"}
# Aggregations, which may put their by/without clause before the parenthesised expression.
_AGGREGATORS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
                "bottomk", "topk", "quantile", "limitk", "limit_ratio"}
# Top-level binary operators the operand split recognises (longest first).
_SPLIT_OPS = ["==", "!=", ">=", "<=", ">", "<"]
_SPLIT_WORDS = ["and", "or", "unless"]


class PromQLSyntaxError(ValueError):
    pass


def _skip_string(expr, i):
    """Index just after the string literal that starts at i."""
    quote = expr[i]
    i += 1
    while i < len(expr):
        if expr[i] == "\\" and quote != "`":
            i += 2
            continue
        if expr[i] == quote:
            return i + 1
        i += 1
    raise PromQLSyntaxError("unterminated string in: " + expr)


def _skip_group(expr, i, open_ch, close_ch):
    """Index just after the bracket group (with strings and nesting) that opens at i."""
    depth = 0
    while i < len(expr):
        c = expr[i]
        if c in "\"'`":
            i = _skip_string(expr, i)
            continue
        if c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise PromQLSyntaxError("unbalanced %s%s in: %s" % (open_ch, close_ch, expr))


def _skip_comment(expr, i):
    j = expr.find("\n", i)
    return len(expr) if j < 0 else j + 1


def selectors(expr):
    """The vector selectors of `expr` in order of appearance, each as written: a metric name
    with its optional {matchers}, or bare {matchers}. Range and offset parts are left out, so
    every result can be evaluated as an instant query."""
    out = []
    i, n = 0, len(expr)
    while i < n:
        c = expr[i]
        if c.isspace():
            i += 1
        elif c == "#":
            i = _skip_comment(expr, i)
        elif c in "\"'`":
            i = _skip_string(expr, i)
        elif c == "[":
            i = _skip_group(expr, i, "[", "]")
        elif c == "{":
            end = _skip_group(expr, i, "{", "}")
            out.append(expr[i:end])
            i = end
        elif c.isdigit() or (c == "." and i + 1 < n and expr[i + 1].isdigit()):
            i = _NUMBER.match(expr, i).end()
        elif _IDENT.match(expr, i):
            word = _IDENT.match(expr, i).group(0)
            j = i + len(word)
            k = j
            while k < n and expr[k].isspace():
                k += 1
            nxt = expr[k] if k < n else ""
            if word in _LABEL_LIST and nxt == "(":
                i = _skip_group(expr, k, "(", ")")
            elif (nxt == "(" or word.lower() in _KEYWORDS or word in _GROUP_MODIFIERS
                  or (word in _AGGREGATORS and re.match(r"(by|without)\b", expr[k:]))):
                i = j  # a function or aggregation name, or an operator word
            elif nxt == "{":
                end = _skip_group(expr, k, "{", "}")
                out.append(word + expr[k:end])
                i = end
            else:
                out.append(word)
                i = j
        else:
            i += 1
    return out


def metric_name(selector):
    """The metric name of a selector, or None when it has none (bare {matchers})."""
    m = _IDENT.match(selector)
    if m:
        return m.group(0)
    m = re.search(r'__name__\s*=\s*"([^"]*)"', selector)
    return m.group(1) if m else None


def _top_level_split(expr):
    """Splits at the binary comparison and set operators outside any bracket. Returns the
    operand texts; a single element when there is none."""
    parts, start, i, n = [], 0, 0, len(expr)
    while i < n:
        c = expr[i]
        if c in "\"'`":
            i = _skip_string(expr, i)
            continue
        if c == "#":
            i = _skip_comment(expr, i)
            continue
        if c in "([{":
            i = _skip_group(expr, i, c, {"(": ")", "[": "]", "{": "}"}[c])
            continue
        op = next((o for o in _SPLIT_OPS if expr.startswith(o, i)), None)
        if op is None:
            m = _IDENT.match(expr, i)
            if m and (i == 0 or not (expr[i - 1].isalnum() or expr[i - 1] in "_:")):
                word = m.group(0)
                if word in _SPLIT_WORDS:
                    op = word
                else:
                    i = m.end()
                    continue
        if op is not None:
            parts.append(expr[start:i])
            i += len(op)
            start = i
            continue
        i += 1
    parts.append(expr[start:])
    return parts


def _strip_modifiers(text):
    """Drops the modifiers that follow a binary operator: bool, on(...), ignoring(...),
    group_left(...), group_right(...)."""
    text = text.strip()
    while True:
        m = re.match(r"(bool|on|ignoring|group_left|group_right)\b\s*", text)
        if not m:
            return text
        text = text[m.end():]
        if m.group(1) != "bool" and text.startswith("("):
            text = text[_skip_group(text, 0, "(", ")"):].strip()


def _strip_parens(text):
    text = text.strip()
    while text.startswith("(") and _skip_group(text, 0, "(", ")") == len(text):
        text = text[1:-1].strip()
    return text


def operands(expr):
    """The operands of the top-level comparison and set operators of `expr`, recursively
    (an operand in parentheses is split too), without number literals. An expression with no
    such operator is its own single operand."""
    expr = _strip_parens(expr)
    parts = _top_level_split(expr)
    if len(parts) == 1:
        return [expr]
    out = []
    for part in parts:
        part = _strip_parens(_strip_modifiers(part))
        if not part or _NUMBER.fullmatch(part):
            continue
        out.extend(operands(part))
    return out
