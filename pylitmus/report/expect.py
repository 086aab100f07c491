"""Expected verdicts in herd7's `-kinds` format: lines `NAME Allowed|Forbidden|Required`."""

from __future__ import annotations

from typing import NamedTuple

from pylitmus.result import Result

KIND_NAMES = ("Allowed", "Forbidden", "Required")


class Expectation(NamedTuple):
    """What a kinds file says of a test, and whether the observed verdict agrees."""

    expected: str
    matches: bool


def parse_kinds(text: str, file: str) -> dict[str, str]:
    """Test name to expected kind; a malformed line raises ValueError naming its place."""
    kinds: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 2 or words[1] not in KIND_NAMES:
            raise ValueError(f"{file}:{number}: expected `NAME Allowed|Forbidden|Required`")
        kinds[words[0]] = words[1]
    return kinds


def observed_kind(result: Result) -> str:
    """The kind the observed outcome shows, as herd7 -kinds compares it."""
    if result.quantifier == "forall":
        if result.ok:
            return "Required"
        return "Allowed" if result.observation == "Sometimes" else "Forbidden"
    return "Forbidden" if result.observation == "Never" else "Allowed"


def expectation_for(result: Result, kinds: dict[str, str]) -> Expectation | None:
    expected = kinds.get(result.name)
    if expected is None:
        return None
    return Expectation(expected, expected == observed_kind(result))
