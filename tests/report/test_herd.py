"""herd7's text block."""

from __future__ import annotations

import io
from dataclasses import replace

import pylitmus
from pylitmus.report.expect import Expectation
from pylitmus.report.herd import HerdReporter, herd_block
from pylitmus.report.runner import Outcome

NEVER = """AArch64 N
{ 0:X1=x; 1:X1=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W4,[X1] ;
 STR W0,[X1] |             ;
~exists (1:X4=2)
"""


def test_block_is_herds_lines_in_order(mp_outcome) -> None:
    result = replace(mp_outcome.result, seconds=0.123, flags=["some-flag"])
    assert herd_block(result).splitlines() == [
        "Test MP Allowed",
        "States 4",
        "1:X0=0; 1:X2=0;",
        "1:X0=0; 1:X2=1;",
        "1:X0=1; 1:X2=0;",
        "1:X0=1; 1:X2=1;",
        "Ok",
        "Witnesses",
        "Positive: 1 Negative: 3",
        "Flag some-flag",
        "Condition exists (1:X2=1 /\\ 1:X0=0)",
        "Observation MP Sometimes 1 3",
        "Time MP 0.12",
        "",
    ]


def test_observation_counts_satisfying_executions_first(mp_outcome) -> None:
    """herd7's Observation line gives the executions satisfying the condition, then the
    others; for ~exists, Positive counts the others (herd/top_herd.ml, pp_stats)."""
    result = replace(mp_outcome.result, quantifier="~exists", kind="Forbidden",
                     positive=3, negative=1, observation="Sometimes")
    lines = herd_block(result).splitlines()
    assert "Positive: 3 Negative: 1" in lines
    assert "Observation MP Sometimes 1 3" in lines


def test_reporter_sends_errors_warnings_and_mismatches_to_stderr(mp_outcome,
                                                                 failed_outcome) -> None:
    out, err = io.StringIO(), io.StringIO()
    reporter = HerdReporter(out, err)
    warned = replace(mp_outcome, result=replace(mp_outcome.result, warnings=["careful"]),
                     expectation=Expectation("Forbidden", False))
    reporter.show(warned)
    reporter.show(failed_outcome)
    assert out.getvalue().startswith("Test MP Allowed\n")
    assert "bad.litmus" not in out.getvalue()
    lines = err.getvalue().splitlines()
    assert lines[0] == "Warning: careful"
    assert lines[1].endswith("MP: expected Forbidden, observed Sometimes (1 positive)")
    assert lines[2:] == ["bad.litmus:3:5: unexpected token", " P0 | P1", "    ^"]


def test_observation_counts_executions_satisfying_the_condition_whatever_the_quantifier():
    """herd/top_herd.ml: `Positive: P Negative: N` counts executions for and against the
    test's claim (for `~exists`, those not satisfying the condition are positive), while
    `Observation NAME Never|... S U` counts those satisfying the condition and not. herd7
    prints `Positive: 2 Negative: 0` and `Observation N Never 0 2` for this test."""
    lines = herd_block(pylitmus.check(NEVER)).splitlines()
    assert lines[lines.index("Witnesses") + 1] == "Positive: 2 Negative: 0"
    assert "Condition ~exists (1:X4=2)" in lines
    assert "Observation N Never 0 2" in lines


def test_hexa_is_a_way_of_printing_only(mp_outcome) -> None:
    """One result, printed twice: herd7's -hexa prints the numbers of states and of the
    condition in hexadecimal (`exists (1:X2=0x1 /\\ 1:X0=0x0)`)."""
    out = io.StringIO()
    HerdReporter(out, io.StringIO(), hexa=True).show(Outcome("MP", mp_outcome.result))
    lines = out.getvalue().splitlines()
    assert lines[2:6] == ["1:X0=0x0; 1:X2=0x0;", "1:X0=0x0; 1:X2=0x1;",
                          "1:X0=0x1; 1:X2=0x0;", "1:X0=0x1; 1:X2=0x1;"]
    assert "Condition exists (1:X2=0x1 /\\ 1:X0=0x0)" in lines
    assert herd_block(mp_outcome.result).splitlines()[2] == "1:X0=0; 1:X2=0;"
