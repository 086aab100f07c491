"""`make conformance`: agreement with herd7 per corpus suite, as a table."""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict

from .corpus import ALL_SUITES, CORPUS, compare, in_scope, load_expected


def run(engine: str = "auto") -> dict[str, Counter]:
    """Compare every corpus entry; print the unexpected outcomes and a table.

    `agree`: herd7's verdict, or a refusal where herd7 refuses too; `refused`: pylitmus
    refuses a test herd7 answers (expected where the test needs a feature pylitmus lacks)."""
    if not CORPUS.exists():
        print(f"no corpus at {CORPUS}: nothing to compare")
        return {}
    tally: dict[str, Counter] = defaultdict(Counter)
    seconds: dict[str, float] = defaultdict(float)
    for path, entry in load_expected().items():
        suite = path.split("/")[0]
        start = time.perf_counter()
        result = compare(path, entry, engine)
        seconds[suite] += time.perf_counter() - start
        status = "refused" if result.status == "error" else result.status
        tally[suite][status] += 1
        tally[suite]["tests"] += 1
        if status != "agree" and not (status == "refused" and not in_scope(entry)):
            print(f"{status}: {path}: {result.detail[:300]}")
    print(f"\n{'suite':26} {'tests':>6} {'agree':>6} {'disagree':>9} {'refused':>8} "
          f"{'crash':>6} {'time':>7}")
    for suite in ALL_SUITES:
        t = tally[suite]
        print(f"{suite:26} {t['tests']:6} {t['agree']:6} {t['disagree']:9} {t['refused']:8} "
              f"{t['crash']:6} {seconds[suite]:6.1f}s")
    return tally


if __name__ == "__main__":
    run(sys.argv[1] if len(sys.argv) > 1 else "auto")
