"""Benchmarks: pylitmus against herd7's recorded times (figures, not pass/fail).

  python bench/run.py [--engine auto|c|python] [--repeat N] [--skip-corpus]

1. Each ../shared/bench/*.litmus in its own child process: the check time (parse and
   check, with the model already loaded, as in a batch), the child's whole wall time
   (interpreter start-up, imports, model loading included), its CPU time, its peak
   memory, herd7's time (one process per file; TICKET3 did not finish in 300 s) and the
   ratio pylitmus check / herd7. Then whether both engines agree on a ticket lock of
   TICKET3's shape (the Python engine takes minutes on TICKET3 itself), with their times.
2. The corpus, each figure in a child process: the 940 base tests herd7 has verdicts for (core
   suites, no instruction fetch) against herd7's 6.7 s for them in one process; the same
   through the batch runner with 2 worker processes (`--jobs 2`) against half of that;
   the whole in-scope corpus with verdicts (base and instruction fetch) against herd7's
   one-process times (6.7 s base, 1.5 s catalogue-ifetch) plus its per-file times for
   herd-self and seed. The mixed-size suites (herd-mixed, catalogue-mixed, diycross-mixed,
   `-variant mixed`) against herd7's per-file times summed. catalogue-vmsa (`-variant
   vmsa,fatal`): the tests pylitmus answers against herd7's per-file times of the same
   tests summed, and each test herd7 took over 5 s on, alone.
   Then the 940 base tests under herd's own `aarch64.cat` (`--model`, from
   ../shared/models/herd-libdir), against the built-in model's time.
3. `pylitmus check --format herd examples/ptdump.litmus`, the whole process, against
   herd7's 0.28 s.
Every figure is the best of --repeat runs (the machine may be shared; the CPU seconds,
workers included, vary less than the wall time then); peak memory is the child's largest
resident set.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BENCH = SHARED / "bench"
HERD_BASE_SECONDS = 6.7  # one process, the 940 base tests
HERD_IFETCH_SECONDS = 1.5  # one process, the 303 catalogue-ifetch tests
HERD_PTDUMP_SECONDS = 0.28
PER_FILE_SUITES = ("herd-self", "seed", "herd-mixed", "catalogue-mixed", "diycross-mixed")
# herd7 timed one process per file only
HERD_LIBDIR = SHARED / "models" / "herd-libdir"
HERD_UNFINISHED = {"TICKET3.litmus": 300}  # herd7 did not finish in this many seconds


def run_child(argv: list[str]) -> tuple[int, str, float, int]:
    """Run a child process: (exit status, output, wall seconds, its peak RSS in KiB)."""
    code, out, wall, usage = run_child_usage(argv)
    return code, out, wall, usage.ru_maxrss


def run_child_usage(argv: list[str]) -> tuple[int, str, float, resource.struct_rusage]:
    """Run a child process: (exit status, output, wall seconds, its resource usage)."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=ROOT,
                            text=True)
    out = proc.stdout.read()
    proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    return proc.returncode, out, wall, usage


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


def child_agree() -> None:
    """Both engines on the ticket lock of TICKET3's shape of the engine tests."""
    sys.path.insert(0, str(ROOT))
    from tests.explorer.test_engines import ticket3_shape_outcome

    got = {}
    for engine in ("c", "python"):
        start = time.process_time()
        outcome = ticket3_shape_outcome(engine)
        got[engine] = (outcome, time.process_time() - start)
    (c, c_cpu), (python, python_cpu) = got["c"], got["python"]
    print(json.dumps({"agree": c == python, "c": c_cpu, "python": python_cpu,
                      "positive": c[1], "negative": c[2]}))


def corpus_paths(which: str) -> tuple[dict, list[str]]:
    """herd7's records and the in-scope corpus tests it has verdicts for: the core
    suites (`base`), the core and instruction-fetch suites (`all`), the mixed-size
    suites (`mixed`) or catalogue-vmsa (`vmsa`, some of whose tests pylitmus refuses)."""
    sys.path.insert(0, str(ROOT))
    from tests.conformance.corpus import (
        CORE_SUITES,
        IFETCH_SUITES,
        MIXED_SUITES,
        in_scope,
        load_expected,
    )

    suites = {"base": CORE_SUITES, "all": CORE_SUITES + IFETCH_SUITES,
              "mixed": MIXED_SUITES, "vmsa": ("catalogue-vmsa",)}[which]
    expected = load_expected()
    return expected, sorted(p for p, e in expected.items() if p.split("/")[0] in suites
                            and (in_scope(e) or which == "vmsa") and "error" not in e)


def child_corpus(engine: str, which: str, model: str | None = None) -> None:
    """Check the tests one after the other (under `model`, a cat file, when given),
    comparing each with herd7's verdict."""
    expected, paths = corpus_paths(which)
    from pylitmus.collector import test_ended
    from tests.conformance.corpus import compare

    start, cpu = time.perf_counter(), cpu_seconds()
    statuses: dict[str, int] = {}
    herd_agreed = 0.0  # herd7's per-file seconds of the tests given its verdict
    for path in paths:
        status = compare(path, expected[path], engine, model=model,
                         libdir=model and str(Path(model).parent)).status
        test_ended()  # as the batch runner does after each test
        statuses[status] = statuses.get(status, 0) + 1
        if status == "agree":
            herd_agreed += expected[path].get("herd_seconds", 0.0)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "cpu": cpu_seconds() - cpu, "tests": len(paths),
                      "statuses": statuses, "herd_agreed": herd_agreed}))


def child_slow(engine: str, which: str, over: float) -> None:
    """Each test of `corpus_paths(which)` herd7 took over `over` seconds on, alone (after
    the others' imports): its check time and whether it got herd7's verdict."""
    expected, paths = corpus_paths(which)
    from tests.conformance.corpus import compare

    for path in paths:
        if expected[path].get("herd_seconds", 0.0) <= over:
            continue
        start = time.perf_counter()
        status = compare(path, expected[path], engine).status
        print(json.dumps({"path": path, "seconds": time.perf_counter() - start,
                          "herd": expected[path]["herd_seconds"], "status": status}))


def child_corpus_jobs(engine: str, which: str, jobs: int) -> None:
    """The tests through the batch runner's worker processes, one batch per set of
    options (outcome statuses only: the one-process run compares with herd7)."""
    from pylitmus.checker import Options
    from pylitmus.report.inputs import Job
    from pylitmus.report.runner import run_jobs

    expected, paths = corpus_paths(which)
    from tests.conformance.corpus import CORPUS, options_for

    batches: dict[tuple, list[Job]] = {}
    for path in paths:
        opts = options_for(expected[path])
        key = (opts["variant"], opts["unroll"])
        batches.setdefault(key, []).append(Job(str(CORPUS / path)))
    start, cpu = time.perf_counter(), cpu_seconds()
    statuses: dict[str, int] = {}
    for (variant, unroll), batch in batches.items():
        for outcome in run_jobs(batch, Options(variant, unroll, engine), workers=jobs):
            statuses[outcome.status] = statuses.get(outcome.status, 0) + 1
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "cpu": cpu_seconds() - cpu, "tests": len(paths),
                      "statuses": statuses}))


def cpu_seconds() -> float:
    """CPU time of this process and of its children that have ended (the workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), \
        resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def herd_seconds(which: str) -> float:
    """herd7's time for the tests of `corpus_paths(which)`."""
    if which == "base":
        return HERD_BASE_SECONDS
    expected, paths = corpus_paths(which)
    per_file = sum(expected[p].get("herd_seconds", 0.0) for p in paths
                   if p.split("/")[0] in PER_FILE_SUITES)
    return per_file if which == "mixed" else HERD_BASE_SECONDS + HERD_IFETCH_SECONDS + per_file


# ---- the report -------------------------------------------------------------------------

def bench_files(engine: str) -> None:
    expected = json.loads((BENCH / "expected.json").read_text())
    print(f"{'test':<16}{'check s':>9}{'process s':>11}{'CPU s':>7}{'peak MB':>9}"
          f"{'herd7 s':>9}{'ratio':>8}  counts (positive/negative)")
    for path in sorted(BENCH.glob("*.litmus")):
        want = expected.get(path.name, {})
        code, out, wall, usage = run_child_usage([sys.executable, __file__, "--child-one",
                                                  str(path), "--engine", engine])
        if code != 0:
            print(f"{path.stem:<16} failed: {out.strip().splitlines()[-1] if out else code}")
            continue
        got = json.loads(out.strip().splitlines()[-1])
        herd, unfinished = want.get("herd_seconds"), HERD_UNFINISHED.get(path.name)
        if herd:
            herd_text, ratio = f"{herd}", f"{got['seconds'] / herd:.2f}"
        elif unfinished:
            herd_text, ratio = f">{unfinished}", f"<{got['seconds'] / unfinished:.3f}"
        else:
            herd_text, ratio = "-", "-"
        counts = f"{got['positive']}/{got['negative']}"
        if "positive" in want:
            same = (got["positive"], got["negative"]) == (want["positive"], want["negative"])
            counts += " = herd7" if same else f" != herd7 {want['positive']}/{want['negative']}"
        elif unfinished:
            counts += f" (herd7 did not finish in {unfinished} s)"
        cpu = usage.ru_utime + usage.ru_stime
        print(f"{path.stem:<16}{got['seconds']:>9.3f}{wall:>11.3f}{cpu:>7.2f}"
              f"{usage.ru_maxrss / 1024:>9.1f}{herd_text:>9}{ratio:>8}  {counts}  "
              f"[{got['engine']}]")
    code, out, _, _ = run_child([sys.executable, __file__, "--child-agree"])
    if code != 0:
        last = out.strip().splitlines()[-1] if out else code
        print(f"engines on TICKET3's shape: failed: {last}")
        return
    got = json.loads(out.strip().splitlines()[-1])
    print(f"engines on a ticket lock of TICKET3's shape (tests/explorer/test_engines.py, "
          f"--unroll 1): {'agree' if got['agree'] else 'DISAGREE'} "
          f"({got['positive']}/{got['negative']}); CPU c {got['c']:.2f} s, "
          f"python {got['python']:.2f} s")


def best_child(argv: list[str], repeat: int) -> tuple[dict | None, float, int, str]:
    """Run a child `repeat` times: (its figures with the least `seconds`, or None if it
    failed, the least wall time, the largest peak RSS in KiB, the failure)."""
    best, best_wall, peak = None, float("inf"), 0
    for _ in range(repeat):
        code, out, wall, rss = run_child(argv)
        if code != 0:
            return None, wall, rss, out.strip().splitlines()[-1] if out.strip() else str(code)
        got = json.loads(out.strip().splitlines()[-1])
        if best is None or got["seconds"] < best["seconds"]:
            best = got
        best_wall, peak = min(best_wall, wall), max(peak, rss)
    return best, best_wall, peak, ""


def bench_corpus(engine: str, which: str, jobs: int, repeat: int,
                 model: str | None = None) -> float | None:
    """One corpus figure; its seconds."""
    argv = [sys.executable, __file__, "--engine", engine, "--child-corpus", which]
    if jobs > 1:
        argv += ["--jobs", str(jobs)]
    if model is not None:
        argv += ["--model", model]
    what = {"base": "940 base tests", "all": "whole in-scope corpus",
            "mixed": "mixed-size suites", "vmsa": "catalogue-vmsa"}[which] + \
        (", one process" if jobs == 1 else f", --jobs {jobs}") + \
        (f", --model {Path(model).name}" if model else "")
    got, wall, rss, failure = best_child(argv, repeat)
    if got is None:
        print(f"{what}: failed: {failure}")
        return None
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(got["statuses"].items()))
    if which == "vmsa":  # herd7's time for the tests pylitmus answers, not those it refuses
        herd, herd_name = got["herd_agreed"], "herd7 per file, summed over those answered"
    else:
        herd = herd_seconds(which) / jobs
        herd_name = ("herd7" if which != "mixed" else "herd7 per file, summed") \
            if jobs == 1 else f"herd7 / {jobs}"
    print(f"{what}: {got['tests']} tests in {got['seconds']:.2f} s (CPU {got['cpu']:.2f} s; "
          f"process {wall:.2f} s, peak {rss / 1024:.0f} MB); {herd_name} {herd:.2f} s; ratio "
          f"{got['seconds'] / herd:.2f}; {'vs herd7' if jobs == 1 else 'outcomes'}: "
          f"{statuses}")
    return got["seconds"]


def bench_slow(engine: str, which: str, over: float) -> None:
    """Each test herd7 took over `over` seconds on: pylitmus's check time."""
    code, out, _, _ = run_child([sys.executable, __file__, "--engine", engine,
                                 "--child-slow", which, "--over", str(over)])
    if code != 0:
        print(f"{which} tests over {over} s for herd7: failed: "
              f"{out.strip().splitlines()[-1] if out.strip() else code}")
        return
    for line in out.strip().splitlines():
        got = json.loads(line)
        print(f"  {got['path']}: {got['seconds']:.3f} s; herd7 {got['herd']:.1f} s; ratio "
              f"{got['seconds'] / got['herd']:.4f}; {got['status']}")


def bench_ptdump(repeat: int) -> None:
    example = ROOT / "examples" / "ptdump.litmus"
    cli = shutil.which("pylitmus", path=str(Path(sys.executable).parent))
    if not example.exists() or cli is None:
        print("ptdump: skipped, examples/ptdump.litmus or the pylitmus command is missing")
        return
    walls, peak = [], 0
    for _ in range(repeat):
        code, out, wall, rss = run_child([cli, "check", "--format", "herd", str(example)])
        if code not in (0, 1):
            print(f"ptdump: the command failed (status {code}): "
                  f"{out.strip().splitlines()[-1] if out.strip() else ''}")
            return
        walls.append(wall)
        peak = max(peak, rss)
    walls.sort()
    print(f"ptdump: `pylitmus check --format herd examples/ptdump.litmus` {walls[0]:.3f} s "
          f"(median {walls[len(walls) // 2]:.3f} s of {repeat}, peak {peak / 1024:.0f} MB); "
          f"herd7 {HERD_PTDUMP_SECONDS} s; ratio {walls[0] / HERD_PTDUMP_SECONDS:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="auto", choices=("auto", "c", "python"))
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each corpus figure (ptdump: 5 times as many)")
    parser.add_argument("--skip-corpus", action="store_true", help="skip the corpus batches")
    parser.add_argument("--child-one")
    parser.add_argument("--child-corpus", choices=("base", "all", "mixed", "vmsa"))
    parser.add_argument("--child-slow", choices=("vmsa",))
    parser.add_argument("--over", type=float, default=5.0)
    parser.add_argument("--child-agree", action="store_true")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--model", help="a cat model for --child-corpus")
    args = parser.parse_args()
    if args.child_one or args.child_corpus or args.child_agree or args.child_slow:
        from pylitmus.collector import collect_less

        collect_less()  # as `pylitmus check` does, but before the checker is imported
    if args.child_one:
        return child_one(args.child_one, args.engine)
    if args.child_agree:
        return child_agree()
    if args.child_slow:
        return child_slow(args.engine, args.child_slow, args.over)
    if args.child_corpus:
        if args.jobs > 1:
            return child_corpus_jobs(args.engine, args.child_corpus, args.jobs)
        return child_corpus(args.engine, args.child_corpus, args.model)
    if not BENCH.is_dir():
        print(f"skipped: {BENCH} is not there")
        return
    bench_files(args.engine)
    if not args.skip_corpus:
        alone = bench_corpus(args.engine, "base", 1, args.repeat)
        shared = bench_corpus(args.engine, "base", 2, args.repeat)
        if alone and shared:
            print(f"--jobs 2 speed-up over one process: {alone / shared:.2f}")
        bench_corpus(args.engine, "all", 1, args.repeat)
        bench_corpus(args.engine, "mixed", 1, args.repeat)
        bench_corpus(args.engine, "vmsa", 1, args.repeat)
        print("catalogue-vmsa tests herd7 took over 5 s on, each alone:")
        bench_slow(args.engine, "vmsa", 5.0)
        if alone and (HERD_LIBDIR / "aarch64.cat").exists():
            cat = bench_corpus(args.engine, "base", 1, args.repeat,
                               str(HERD_LIBDIR / "aarch64.cat"))
            if cat:
                print(f"herd's aarch64.cat over the built-in model: {cat / alone:.2f}")
    bench_ptdump(5 * args.repeat)


if __name__ == "__main__":
    main()
