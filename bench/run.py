"""Benchmarks: pylitmus against herd7's recorded times (figures, not pass/fail).

  python bench/run.py [--engine auto|c|python]

1. Each ../shared/bench/*.litmus in its own child process: the check time (parse and
   check, with the model already loaded, as in a batch), the child's whole wall time
   (interpreter start-up, imports, model compilation included), its peak memory,
   herd7's time (one process per file) and the ratio pylitmus check / herd7.
2. The core suites of the corpus (the 940 in-scope tests herd7 was timed on) in one
   process, against herd7's 6.7 s; then again with 2 worker processes (the runner of
   `--jobs 2`), against half of that.
3. `pylitmus check --format herd examples/ptdump.litmus` wall time against 0.28 s.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BENCH = SHARED / "bench"
HERD_CORE_SECONDS = 6.7
HERD_PTDUMP_SECONDS = 0.28


def run_child(argv: list[str]) -> tuple[int, str, float, int]:
    """Run a child process: (exit status, output, wall seconds, its peak RSS in KiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
                            text=True)
    out = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return proc.returncode, out, wall, usage.ru_maxrss


# ---- what the child processes do ------------------------------------------------------

def child_one(path: str, engine: str) -> None:
    from pylitmus.checker import Options, check_test
    from pylitmus.frontend import parse_file
    from pylitmus.model.program import load_model

    load_model(frozenset())
    start = time.perf_counter()
    result = check_test(parse_file(path), Options(engine=engine))
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "positive": result.positive,
                      "negative": result.negative, "engine": result.engine}))


def core_paths() -> tuple[dict, list[str]]:
    sys.path.insert(0, str(ROOT))
    from tests.conformance.corpus import CORE_SUITES, load_expected

    expected = load_expected()
    return expected, sorted(p for p, e in expected.items()
                            if p.split("/")[0] in CORE_SUITES and not e.get("features"))


def child_core(engine: str) -> None:
    expected, paths = core_paths()
    from tests.conformance.corpus import compare

    start = time.perf_counter()
    statuses: dict[str, int] = {}
    for path in paths:
        status = compare(path, expected[path], engine).status
        statuses[status] = statuses.get(status, 0) + 1
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "tests": len(paths), "statuses": statuses}))


def child_core_jobs(engine: str, jobs: int) -> None:
    """The core suites through the batch runner's worker processes, one batch per set
    of options (outcome statuses only: the one-process run compares with herd7)."""
    from pylitmus.checker import Options
    from pylitmus.report.inputs import Job
    from pylitmus.report.runner import run_jobs

    expected, paths = core_paths()
    from tests.conformance.corpus import CORPUS, options_for

    batches: dict[tuple, list[Job]] = {}
    for path in paths:
        opts = options_for(expected[path])
        key = (opts["variant"], opts["unroll"])
        batches.setdefault(key, []).append(Job(str(CORPUS / path)))
    start = time.perf_counter()
    statuses: dict[str, int] = {}
    for (variant, unroll), batch in batches.items():
        for outcome in run_jobs(batch, Options(variant, unroll, engine), workers=jobs):
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "tests": len(paths), "statuses": statuses}))


# ---- the report -------------------------------------------------------------------------

def bench_files(engine: str) -> None:
    expected = json.loads((BENCH / "expected.json").read_text())
    print(f"{'test':<16}{'check s':>9}{'process s':>11}{'peak MB':>9}{'herd7 s':>9}"
          f"{'ratio':>8}  counts (positive/negative)")
    for path in sorted(BENCH.glob("*.litmus")):
        want = expected.get(path.name, {})
        code, out, wall, rss = run_child([sys.executable, __file__, "--child-one", str(path),
                                          "--engine", engine])
        if code != 0:
            print(f"{path.stem:<16} failed: {out.strip().splitlines()[-1] if out else code}")
            continue
        got = json.loads(out.strip().splitlines()[-1])
        herd = want.get("herd_seconds")
        ratio = f"{got['seconds'] / herd:.2f}" if herd else "-"
        counts = f"{got['positive']}/{got['negative']}"
        if "positive" in want:
            same = (got["positive"], got["negative"]) == (want["positive"], want["negative"])
            counts += " = herd7" if same else f" != herd7 {want['positive']}/{want['negative']}"
        print(f"{path.stem:<16}{got['seconds']:>9.3f}{wall:>11.3f}{rss / 1024:>9.1f}"
              f"{herd if herd is not None else '-':>9}{ratio:>8}  {counts}  [{got['engine']}]")


def bench_core(engine: str, jobs: int) -> None:
    argv = [sys.executable, __file__, "--engine", engine]
    argv += ["--child-core"] if jobs == 1 else ["--child-core-jobs", str(jobs)]
    code, out, wall, rss = run_child(argv)
    what = "one process" if jobs == 1 else f"--jobs {jobs}"
    if code != 0:
        print(f"core suites, {what}: failed: {out.strip().splitlines()[-1] if out else code}")
        return
    got = json.loads(out.strip().splitlines()[-1])
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(got["statuses"].items()))
    herd = HERD_CORE_SECONDS / jobs
    herd_name = "herd7" if jobs == 1 else f"herd7 / {jobs}"
    print(f"core suites, {what}: {got['tests']} tests in {got['seconds']:.2f} s "
          f"(process {wall:.2f} s, peak {rss / 1024:.0f} MB); {herd_name} {herd:.2f} s; "
          f"ratio {got['seconds'] / herd:.2f}; "
          f"{'vs herd7' if jobs == 1 else 'outcomes'}: {statuses}")


def bench_ptdump() -> None:
    example = ROOT / "examples" / "ptdump.litmus"
    cli = shutil.which("pylitmus", path=str(Path(sys.executable).parent))
    if not example.exists():
        print("ptdump: skipped, examples/ptdump.litmus is not there")
        return
    probe = subprocess.run([sys.executable, "-c", "import pylitmus.cli"], cwd=ROOT,
                           capture_output=True)
    if cli is None or probe.returncode != 0:
        print("ptdump: skipped, the pylitmus command line is not there yet")
        return
    code, out, wall, rss = run_child([cli, "check", "--format", "herd", str(example)])
    if code not in (0, 1):
        print(f"ptdump: the command failed (status {code}): "
              f"{out.strip().splitlines()[-1] if out.strip() else ''}")
        return
    print(f"ptdump: `pylitmus check --format herd examples/ptdump.litmus` {wall:.3f} s "
          f"(peak {rss / 1024:.0f} MB); herd7 {HERD_PTDUMP_SECONDS} s; "
          f"ratio {wall / HERD_PTDUMP_SECONDS:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="auto", choices=("auto", "c", "python"))
    parser.add_argument("--child-one")
    parser.add_argument("--child-core", action="store_true")
    parser.add_argument("--child-core-jobs", type=int)
    parser.add_argument("--skip-core", action="store_true", help="skip the corpus batch")
    args = parser.parse_args()
    if args.child_one:
        return child_one(args.child_one, args.engine)
    if args.child_core:
        return child_core(args.engine)
    if args.child_core_jobs:
        return child_core_jobs(args.engine, args.child_core_jobs)
    if not BENCH.is_dir():
        print(f"skipped: {BENCH} is not there")
        return
    bench_files(args.engine)
    if not args.skip_core:
        bench_core(args.engine, 1)
        bench_core(args.engine, 2)
    bench_ptdump()


if __name__ == "__main__":
    main()
