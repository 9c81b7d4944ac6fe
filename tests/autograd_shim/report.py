"""The tables of `tests/autograd_suite.py`: results per file, failures by cause, not-applicable tests."""
from __future__ import annotations

import collections
import json
import pathlib


def load(results: pathlib.Path, static: list[dict]) -> list[dict]:
    """One record per test, sorted: the first that is not a pass (a teardown error after a pass
    counts), else its pass. `static` holds the tests of the files set aside as not applicable."""
    records = list(static)
    if results.exists():
        records += [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines() if line]
    final: dict = {}
    for r in records:
        kept = final.get(r["nodeid"])
        if kept is None or kept["outcome"] == "passed" and r["outcome"] != "passed":
            final[r["nodeid"]] = r
    return sorted(final.values(), key=lambda r: r["nodeid"])


COLUMNS = ("passed", "failed", "error", "skipped", "n/a")


def _examples(rs, n=3):
    return ", ".join(f"`{r['nodeid']}`" for r in rs[:n]) + (f" (+{len(rs) - n})" if len(rs) > n else "")


def table(records: list[dict], source: str, seconds: float) -> str:
    by_file = collections.defaultdict(collections.Counter)
    for r in records:
        by_file[r["file"]][r["outcome"]] += 1
    total = collections.Counter(r["outcome"] for r in records)
    applicable = total["passed"] + total["failed"] + total["error"]
    out = ["# autograd's test suite against s2s", "",
           f"Tests from {source}; {len(records)} tests in {seconds:.0f} s. "
           f"**{total['passed']} passed of {applicable} applicable** "
           f"({total['failed']} failed, {total['error']} errored; {total['skipped']} skipped, "
           f"{total['n/a']} not applicable).", "",
           "| file | tests | passed | failed | errored | skipped | n/a |", "|---|---:|---:|---:|---:|---:|---:|"]
    for f in sorted(by_file):
        c = by_file[f]
        out.append(f"| {f} | {sum(c.values())} | " + " | ".join(str(c[k]) for k in COLUMNS) + " |")
    out.append("| **all** | " + f"{len(records)} | " + " | ".join(f"**{total[k]}**" for k in COLUMNS) + " |")

    failing = [r for r in records if r["outcome"] in ("failed", "error")]
    causes = collections.defaultdict(list)
    for r in failing:
        causes[r["cause"]].append(r)
    out += ["", f"## Failures by cause ({len(failing)})", ""]
    if failing:
        out += ["| tests | cause | details (tests) | where | e.g. |", "|---:|---|---|---|---|"]
    for cause, rs in sorted(causes.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        details = collections.Counter(r["detail"] for r in rs if r["detail"])
        detail_text = "; ".join(f"{d.replace('|', '/')} ({n})" for d, n in details.most_common(8))
        if len(details) > 8:
            detail_text += f"; +{len(details) - 8} more"
        wheres = collections.Counter(r.get("where", "") for r in rs)
        out.append(f"| {len(rs)} | {cause.replace('|', '/')} | {detail_text} | "
                   f"{', '.join(w for w, _ in wheres.most_common())} | {_examples(rs, 2)} |")

    many = [(cause, rs) for cause, rs in sorted(causes.items(), key=lambda kv: (-len(kv[1]), kv[0]))
            if len({r["detail"] for r in rs}) > 8]
    for cause, rs in many:
        details = collections.Counter(r["detail"] for r in rs if r["detail"])
        out += ["", f"All details of: {cause}", ""]
        out.append(", ".join(f"{d} ({n})" for d, n in sorted(details.items(), key=lambda kv: (-kv[1], kv[0]))))

    na = collections.defaultdict(list)
    for r in records:
        if r["outcome"] == "n/a":
            na[r["cause"]].append(r)
    out += ["", f"## Not applicable ({total['n/a']})", ""]
    if na:
        out += ["| tests | reason | tests |", "|---:|---|---|"]
    for reason, rs in sorted(na.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        out.append(f"| {len(rs)} | {reason.replace('|', '/')} | {_examples(rs, 4)} |")
    skipped = [r for r in records if r["outcome"] == "skipped"]
    if skipped:
        reasons = collections.Counter(r["cause"] for r in skipped)
        out += ["", f"## Skipped by the tests themselves ({len(skipped)})", ""]
        out += [f"- {n}: {reason}" for reason, n in reasons.most_common()]
    slow = sorted(records, key=lambda r: -r.get("seconds", 0))[:5]
    out += ["", "Slowest: " + ", ".join(f"`{r['nodeid']}` {r['seconds']:.1f} s" for r in slow)]
    return "\n".join(out) + "\n"


def changes(records: list[dict], baseline: pathlib.Path) -> str:
    """What passes now and did not in `baseline` (a --json file of an earlier run), and the reverse."""
    before = {}
    for line in baseline.read_text(encoding="utf-8").splitlines():
        if line:
            r = json.loads(line)
            before[r["nodeid"]] = r["outcome"]
    now = {r["nodeid"]: r for r in records}
    fixed = sorted(k for k, r in now.items() if r["outcome"] == "passed" and before.get(k, "passed") != "passed")
    broken = sorted(k for k, r in now.items() if r["outcome"] != "passed" and before.get(k) == "passed")
    out = ["", f"## Since {baseline.name}: {len(fixed)} newly passing, {len(broken)} no longer passing", ""]
    out += [f"- passes now: `{k}`" for k in fixed]
    out += [f"- **no longer passes**: `{k}` ({now[k]['outcome']}: {now[k].get('message', '')[:120]})" for k in broken]
    return "\n".join(out) + "\n"
