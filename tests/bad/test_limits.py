"""No test runs forever or fills memory: tests that would explode stop at a limit, with one
line naming the limit and how to raise it (exit status 2)."""

from __future__ import annotations

import time

import pytest

from tests.bad.test_bad import assert_one_error, check

INCREMENTS = """AArch64 increments
{ 0:X1=x; 1:X1=x; }
 P0           | P1           ;
 MOV W2,#0    | MOV W2,#0    ;
 L0:          | L1:          ;
 LDR W0,[X1]  | LDR W0,[X1]  ;
 ADD W0,W0,#1 | ADD W0,W0,#1 ;
 STR W0,[X1]  | STR W0,[X1]  ;
 ADD W2,W2,#1 | ADD W2,W2,#1 ;
 CMP W2,#3    | CMP W2,#3    ;
 B.NE L0      | B.NE L1      ;
exists (x=6)
"""
# Three threads adding 1 to x three times each: many combinations of runs, for a long time.
INCREMENTS3 = """AArch64 increments3
{ 0:X1=x; 1:X1=x; 2:X1=x; }
 P0           | P1           | P2           ;
 MOV W2,#0    | MOV W2,#0    | MOV W2,#0    ;
 L0:          | L1:          | L2:          ;
 LDR W0,[X1]  | LDR W0,[X1]  | LDR W0,[X1]  ;
 ADD W0,W0,#1 | ADD W0,W0,#1 | ADD W0,W0,#1 ;
 STR W0,[X1]  | STR W0,[X1]  | STR W0,[X1]  ;
 ADD W2,W2,#1 | ADD W2,W2,#1 | ADD W2,W2,#1 ;
 CMP W2,#3    | CMP W2,#3    | CMP W2,#3    ;
 B.NE L0      | B.NE L1      | B.NE L2      ;
exists (x=9)
"""
SPIN = """AArch64 spin
{ 0:X1=x; 1:X1=x; }
 P0          | P1          ;
 MOV W0,#1   | L0:         ;
 STR W0,[X1] | LDR W0,[X1] ;
             | CBZ W0,L0   ;
exists (1:X0=1)
"""
WRITERS = """AArch64 writers
{ 0:X1=x; 1:X1=x; 2:X1=x; }
 P0          | P1          | P2          ;
 MOV W0,#1   | MOV W0,#3   | MOV W0,#5   ;
 STR W0,[X1] | STR W0,[X1] | STR W0,[X1] ;
 MOV W0,#2   | MOV W0,#4   | MOV W0,#6   ;
 STR W0,[X1] | STR W0,[X1] | STR W0,[X1] ;
exists (x=1)
"""


def ten_threads() -> str:
    """Ten threads writing and reading one location: about 10^10 combinations of runs."""
    threads = range(10)
    rows = [" | ".join(f"P{i}" for i in threads),
            " | ".join(f"MOV W0,#{i + 1}" for i in threads),
            " | ".join("STR W0,[X1]" for _ in threads),
            " | ".join("LDR W2,[X1]" for _ in threads)]
    init = " ".join(f"{i}:X1=x;" for i in threads)
    return "AArch64 ten\n{ " + init + " }\n" + "".join(f" {r} ;\n" for r in rows) + \
        "exists (0:X2=1)\n"


@pytest.fixture()
def write(tmp_path):
    def make(text: str) -> str:
        path = tmp_path / f"{text.split()[1]}.litmus"
        path.write_text(text)
        return str(path)
    return make


def limited(path: str, *options: str) -> str:
    """The one error line of a test stopped by a limit, within a few seconds."""
    start = time.monotonic()
    code, stdout, stderr = check(*options, path)
    assert time.monotonic() - start < 20
    assert code == 2
    return assert_one_error(path, stderr, stdout)


@pytest.mark.parametrize("options", [(), ("--max-executions", "1000")])
def test_ten_threads_stop_at_the_execution_limit(write, options):
    line = limited(write(ten_threads()), *options)
    assert "combinations of thread runs: over the limit --max-executions=" in line
    assert "(raise it with --max-executions N)" in line


def test_many_combinations_of_runs_stop_at_the_execution_limit(write):
    line = limited(write(INCREMENTS), "--max-executions", "1000")
    assert "more than 1000 combinations of thread runs: over the limit --max-executions=1000" \
        in line


def test_consistent_executions_are_counted(write):
    path = write(WRITERS)
    assert "too many consistent executions: over the limit --max-executions=10 " \
        in limited(path, "--max-executions", "10")
    code, stdout, _ = check(path)
    assert code == 0 and "Positive: 0 Negative: 90" in stdout


def test_a_test_over_its_time_is_stopped(write):
    line = limited(write(INCREMENTS3), "--max-executions", "100000000", "--timeout", "1")
    assert line.endswith("timed out: over the limit --timeout=1 (raise it with --timeout N)")


def test_a_loop_on_constants_stops_at_the_step_limit():
    from tests.bad.test_bad import HERE
    line = limited(str(HERE / "files" / "concrete-loop.litmus"), "--max-steps", "100")
    assert line.endswith("over the limit --max-steps=100 (raise it with --max-steps N)")


def test_a_loop_on_read_values_stops_at_the_unroll_bound(write):
    path = write(SPIN)
    code, stdout, stderr = check("--unroll", "1", path)
    assert code == 0 and "Loop Ok" in stdout
    assert stderr.startswith(f'Warning: File "{path}": unrolling limit exceeded at L0, '
                             "legal outcomes may be missing.")
