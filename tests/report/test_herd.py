"""herd7's text block."""

from __future__ import annotations

import io
from dataclasses import replace

from pylitmus.report.expect import Expectation
from pylitmus.report.herd import HerdReporter, herd_block, state_line
from pylitmus.result import State


def test_state_line_joins_values_as_herd_does() -> None:
    state = State((("0:X0", "1"), ("[x]", "2")), 3, True)
    assert state_line(state) == "0:X0=1; [x]=2;"


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
