"""Scaling: check time against size for two families of growing tests, both engines.

  python bench/scaling.py [--limit SECONDS] [--sb 2..8] [--w2r2 2..3]

SBk: k threads in a ring, each writing its location then (after a DMB) reading the
next thread's; 2^k combinations of thread runs, one coherence order each.
W2R2xk: k threads each writing x and y (its own value) and reading both (W2R2x3 is
../shared/bench/W2R2x3.litmus); the candidates grow as (2k)! coherence orders times
the read-from choices. Each test runs in its own process (`run.py --child-one`: parse
and check, model loaded); the Python engine is stopped past --limit seconds.
Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

RUN = Path(__file__).resolve().parent / "run.py"


def sb(k: int) -> str:
    locs = [f"x{i}" for i in range(k)]
    init = " ".join(f"{i}:X1={locs[i]}; {i}:X2={locs[(i + 1) % k]};" for i in range(k))
    rows = ["MOV W0,#1", "STR W0,[X1]", "DMB SY", "LDR W3,[X2]"]
    return _test(f"SB{k}", init, [rows] * k, " /\\ ".join(f"{i}:X3=0" for i in range(k)))


def w2r2(k: int) -> str:
    init = " ".join(f"{i}:X1=x; {i}:X2=y;" for i in range(k))
    threads = []
    for i in range(k):
        first, second = ("X1", "X2") if i % 2 == 0 else ("X2", "X1")
        threads.append([f"MOV W0,#{i + 1}", f"STR W0,[{first}]", f"LDR W3,[{second}]",
                        f"STR W0,[{second}]", f"LDR W4,[{first}]"])
    return _test(f"W2R2x{k}", init, threads, " /\\ ".join(f"{i}:X3=0" for i in range(k)))


def _test(name: str, init: str, threads: list[list[str]], condition: str) -> str:
    width = max(len(row) for rows in threads for row in rows) + 1
    lines = [f"AArch64 {name}", "{", init, "}",
             " " + " | ".join(f"P{i}".ljust(width) for i in range(len(threads))) + " ;"]
    for r in range(len(threads[0])):
        lines.append(" " + " | ".join(rows[r].ljust(width) for rows in threads) + " ;")
    lines.append(f"exists ({condition})")
    return "\n".join(lines) + "\n"


def check(path: Path, engine: str, limit: float) -> dict | None:
    """The child's figures, or None when it ran past the limit."""
    try:
        out = subprocess.run([sys.executable, str(RUN), "--child-one", str(path),
                              "--engine", engine], capture_output=True, text=True,
                             timeout=limit, check=True).stdout
    except subprocess.TimeoutExpired:
        return None
    return json.loads(out.strip().splitlines()[-1])


def span(text: str) -> range:
    low, high = text.split("..")
    return range(int(low), int(high) + 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=float, default=60.0,
                        help="seconds after which the Python engine is stopped")
    parser.add_argument("--sb", type=span, default=span("2..8"))
    parser.add_argument("--w2r2", type=span, default=span("2..3"))
    args = parser.parse_args()
    print("| test | executions | C engine s | Python engine s |")
    print("|---|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for family, sizes in ((sb, args.sb), (w2r2, args.w2r2)):
            python_gave_up = False
            for k in sizes:
                text = family(k)
                path = Path(tmp) / f"{text.split()[1]}.litmus"
                path.write_text(text)
                got = check(path, "c", 3600)
                slow = None if python_gave_up else check(path, "python", args.limit)
                python_gave_up = slow is None
                shown = f"{slow['seconds']:.3f}" if slow else f"> {args.limit:g} (stopped)"
                print(f"| {path.stem} | {got['positive'] + got['negative']} "
                      f"| {got['seconds']:.3f} | {shown} |", flush=True)


if __name__ == "__main__":
    main()
