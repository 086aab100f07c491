"""Results to report, checked once from the examples."""

from __future__ import annotations

from pathlib import Path

import pytest

import pylitmus
from pylitmus.report.runner import Failure, Outcome

EXAMPLES = Path(__file__).parents[2] / "examples"


@pytest.fixture(scope="session")
def mp_outcome() -> Outcome:
    path = str(EXAMPLES / "MP.litmus")
    return Outcome(path, result=pylitmus.check(path))


@pytest.fixture()
def failed_outcome() -> Outcome:
    failure = Failure("unexpected token", "bad.litmus", 3, 5,
                      "bad.litmus:3:5: unexpected token\n P0 | P1\n    ^")
    return Outcome("bad.litmus", failure=failure)
