"""Compares launchgate budget's JSON report with the assertion-results.json that
`lhci assert --includePassedAssertions` wrote for the same results and assertions: every
LHCI result must appear as a check of its URL with the same verdict (pass, fail for an
error-level failure, warn for a warn-level one), and launchgate must add none. Exits
non-zero on any difference.

    python3 compare_lhci.py ASSERTION_RESULTS_JSON LAUNCHGATE_JSON LABEL
"""
import json
import sys
from collections import Counter

lhci = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))["reports"][0]
label = sys.argv[3]


def check_name(result):
    key = result["auditId"]
    if result.get("auditProperty"):
        key += ":" + result["auditProperty"].replace(".", ":")
    name = result["name"]
    if name == "auditRan":
        return f"{key} ran"
    if name == "maxLength":
        return f"{key} items"
    if name == "minScore" and result["auditId"] != "categories":
        return f"{key} score"
    return key


expected = Counter()
for r in lhci:
    verdict = "pass" if r["passed"] else ("fail" if r["level"] == "error" else "warn")
    expected[(r["url"], check_name(r), verdict)] += 1

ours = Counter()
for table in report["tables"]:
    if table["columns"][:1] != ["check"] or " — " not in table["title"]:
        continue
    url = table["title"].split(" — ")[0]
    for row in table["rows"]:
        ours[(url, row[0], row[4])] += 1

missing = expected - ours
extra = ours - expected
for item in sorted(missing):
    print(f"{label}: DIFF LHCI has {item}, launchgate does not")
for item in sorted(extra):
    print(f"{label}: DIFF launchgate has {item}, LHCI does not")
if missing or extra:
    sys.exit(f"{label}: differs from lhci assert")
failed = sum(1 for (_, _, v), n in expected.items() if v != "pass" for _ in range(n))
print(f"{label}: {len(lhci)} results ({failed} not passed), every verdict equal to lhci assert's")
