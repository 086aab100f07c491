"""`make conformance`: agreement with herd7 per corpus suite, as a table."""

from __future__ import annotations

import sys
import time
from collections import Counter, defaultdict

from .corpus import CORE_SUITES, CORPUS, IFETCH_SUITES, compare, load_expected


def run(engine: str = "auto") -> dict[str, Counter]:
    """Compare every in-scope corpus entry; print disagreements and a table."""
    if not CORPUS.exists():
        print(f"no corpus at {CORPUS}: nothing to compare")
        return {}
    tally: dict[str, Counter] = defaultdict(Counter)
    seconds: dict[str, float] = defaultdict(float)
    for path, entry in load_expected().items():
        suite = path.split("/")[0]
        if suite not in CORE_SUITES + IFETCH_SUITES:
            continue
        if entry.get("features"):
            tally[suite]["unsupported"] += 1
            continue
        start = time.perf_counter()
        result = compare(path, entry, engine)
        seconds[suite] += time.perf_counter() - start
        tally[suite][result.status] += 1
        if result.status != "agree":
            print(f"{result.status}: {path}: {result.detail[:300]}")
    print(f"\n{'suite':26} {'agree':>6} {'disagree':>9} {'unsupported':>12} {'error':>6} "
          f"{'in scope':>9} {'time':>7}")
    for suite in CORE_SUITES + IFETCH_SUITES:
        t = tally[suite]
        scope = t["agree"] + t["disagree"] + t["error"] + t["crash"]
        share = 100.0 * t["agree"] / scope if scope else 100.0
        print(f"{suite:26} {t['agree']:6} {t['disagree']:9} {t['unsupported']:12} "
              f"{t['error'] + t['crash']:6} {share:8.1f}% {seconds[suite]:6.1f}s")
    return tally


if __name__ == "__main__":
    run(sys.argv[1] if len(sys.argv) > 1 else "auto")
