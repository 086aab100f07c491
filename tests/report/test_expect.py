"""herd7 -kinds expectations."""

from __future__ import annotations

from dataclasses import replace

import pytest

from pylitmus.report.expect import Expectation, expectation_for, observed_kind, parse_kinds


def test_parse_kinds_skips_blank_and_comment_lines() -> None:
    assert parse_kinds("MP   Allowed\n\n# note\nSB Forbidden\n", "k") == {
        "MP": "Allowed", "SB": "Forbidden"}


@pytest.mark.parametrize("line", ["MP", "MP Maybe", "MP Allowed extra"])
def test_parse_kinds_names_the_bad_line(line: str) -> None:
    with pytest.raises(ValueError, match="^k:2: "):
        parse_kinds(f"SB Allowed\n{line}\n", "k")


@pytest.mark.parametrize("quantifier, observation, ok, kind", [
    ("exists", "Sometimes", True, "Allowed"),
    ("exists", "Always", True, "Allowed"),
    ("exists", "Never", False, "Forbidden"),
    ("~exists", "Never", True, "Forbidden"),
    ("~exists", "Sometimes", False, "Allowed"),
    ("forall", "Always", True, "Required"),
    ("forall", "Sometimes", False, "Allowed"),
    ("forall", "Never", False, "Forbidden"),
])
def test_observed_kind(mp_outcome, quantifier, observation, ok, kind) -> None:
    result = replace(mp_outcome.result, quantifier=quantifier, observation=observation, ok=ok)
    assert observed_kind(result) == kind


def test_expectation_for(mp_outcome) -> None:
    result = mp_outcome.result
    assert expectation_for(result, {}) is None
    assert expectation_for(result, {"MP": "Allowed"}) == Expectation("Allowed", True)
    assert expectation_for(result, {"MP": "Forbidden"}) == Expectation("Forbidden", False)
