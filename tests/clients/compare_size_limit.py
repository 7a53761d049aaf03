"""Compares launchgate budget's JSON report with size-limit's `--json` output for the same
.size-limit.json: every check measured, every verdict equal, raw and gzip sizes to the
byte, brotli (another encoder) within 0.2 %. Exits non-zero on any difference.

    python3 compare_size_limit.py SIZE_LIMIT_JSON LAUNCHGATE_JSON LABEL
"""
import json
import sys

expected = json.load(open(sys.argv[1]))
report = json.load(open(sys.argv[2]))["reports"][0]
label = sys.argv[3]
measured = {}
verdicts = {}
for table in report["tables"]:
    if table["title"] == "Measured values":
        for _kind, subject, metric, value in table["rows"]:
            measured[subject] = (metric, int(value))
    if table["title"] == "bundles":
        for row in table["rows"]:
            verdicts[row[0]] = row[4] == "pass"

failures = []
for row in expected:
    name, size = row["name"], row["size"]
    metric, ours = measured.get(name, (None, None))
    if ours is None:
        failures.append(f"{name}: not measured")
        continue
    close = abs(ours - size) / size < 0.002 if metric == "brotli" else ours == size
    verdict = verdicts.get(f"{name} ({metric})")
    ok = close and verdict == row.get("passed")
    word = {True: "pass", False: "fail", None: "no limit"}
    print(
        f"{label}: {'ok  ' if ok else 'DIFF'} {name}: size-limit {size} B {word[row.get('passed')]}, "
        f"launchgate {ours} B ({metric}) {word[verdict]}"
    )
    if not ok:
        failures.append(name)
if failures:
    sys.exit(f"{label}: differs from size-limit: {failures}")
print(f"{label}: {len(expected)} checks, every verdict equal to size-limit's")
