#!/usr/bin/env python3
"""Every alert has a runbook: check_runbook.py <alerts.yml> <runbook.md>.

Each alert's runbook_url must end in '#' + its section's anchor (the GitHub anchor of a
'## <AlertName>' heading, i.e. the name in lower case), and that section must say what the
alert means, how to confirm it (with a promql block), its likely causes and what to do.
Every section must belong to an alert (no stale runbooks). Exit 0 when clean, 1 otherwise.
"""
import re
import sys

import yaml

PARTS = ("**What it means.**", "**Confirm.**", "**Likely causes.**", "**What to do.**")


def sections(text):
    """{anchor: body} of the '## ' sections."""
    out = {}
    for m in re.finditer(r"^## (.+?)\n(.*?)(?=^## |\Z)", text, re.S | re.M):
        anchor = re.sub(r"[^a-z0-9 _-]", "", m.group(1).strip().lower()).replace(" ", "-")
        out[anchor] = m.group(2)
    return out


def check(alerts, runbook_text):
    errors = []
    found = sections(runbook_text)
    names = set()
    for group in alerts["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            name = rule["alert"]
            names.add(name.lower())
            url = rule.get("annotations", {}).get("runbook_url", "")
            if not url.endswith("#" + name.lower()):
                errors.append("%s: runbook_url %r does not point at #%s" % (name, url, name.lower()))
            body = found.get(name.lower())
            if body is None:
                errors.append("%s: no '## %s' section in the runbook" % (name, name))
                continue
            for part in PARTS:
                if part not in body:
                    errors.append("%s: its section lacks %s" % (name, part))
            if "```promql" not in body:
                errors.append("%s: its section has no promql query to confirm it" % name)
    for anchor in sorted(set(found) - names):
        errors.append("runbook section #%s belongs to no alert" % anchor)
    return errors


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    with open(sys.argv[1]) as f:
        alerts = yaml.safe_load(f)
    with open(sys.argv[2]) as f:
        text = f.read()
    errors = check(alerts, text)
    for e in errors:
        print("FAIL " + e)
    print("%s: %d sections checked, %d problems" % (sys.argv[2], len(sections(text)), len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
