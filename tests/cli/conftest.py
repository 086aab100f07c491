"""Running `pylitmus` in process with click's runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from pylitmus.cli import main

EXAMPLES = Path(__file__).parents[2] / "examples"
BAD_TEXT = "AArch64 bad\n{ }\n P0 ;\n MOV X0,#1 ;\nexists (0:X0=1 /\\ )\n"


def example(name: str) -> str:
    return str(EXAMPLES / f"{name}.litmus")


@pytest.fixture()
def run(monkeypatch):
    """`run(*arguments, input=None)`: the click result of `pylitmus check ...`."""
    monkeypatch.delenv("NO_COLOR", raising=False)

    def invoke(*arguments: str, input: str | None = None) -> Result:
        return CliRunner().invoke(main, ["check", *arguments], input=input)

    return invoke


@pytest.fixture()
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.litmus"
    path.write_text(BAD_TEXT)
    return path
