"""The terminal view, captured from a forced terminal and from plain text."""

from __future__ import annotations

import io
import re

from rich.console import Console

from pylitmus.report.expect import Expectation
from pylitmus.report.rich import RichReporter, make_console
from pylitmus.report.runner import Tally


def terminal() -> Console:
    return Console(file=io.StringIO(), force_terminal=True, width=100)


def shown(console: Console) -> str:
    return console.file.getvalue()


def test_panel_shows_what_a_user_reads(mp_outcome) -> None:
    console, err = terminal(), terminal()
    mp_outcome.expectation = Expectation("Forbidden", False)
    RichReporter(console, err).show(mp_outcome)
    mp_outcome.expectation = None
    text = shown(console)
    assert "\x1b[" in text  # coloured on a terminal
    stripped = _strip_ansi(text)
    for expected in ("MP", "Condition exists (1:X2=1 /\\ 1:X0=0)", "Allowed", "Sometimes",
                     "1 positive, 3 negative", "expected Forbidden: MISMATCH",
                     "executions", "1:X0", "1:X2"):
        assert expected in stripped
    rows = [line for line in stripped.splitlines() if "✔" in line]
    assert len(rows) == 1 and rows[0].split()[1:4] == ["0", "1", "1"]
    assert shown(err) == ""


def test_summary_for_a_batch(mp_outcome, failed_outcome) -> None:
    console, err = terminal(), terminal()
    reporter = RichReporter(console, err, progress=False)
    tally = Tally()
    reporter.start(2)
    for outcome in (mp_outcome, failed_outcome):
        reporter.show(outcome)
        tally.add(outcome)
    reporter.finish(tally)
    text = _strip_ansi(shown(console))
    assert "Summary" in text
    header, _, row = [line for line in text.splitlines()[-4:-1]]
    assert header.split() == ["tests", "Always", "Sometimes", "Never", "mismatches", "errors",
                              "timeouts", "time"]
    assert row.split()[:7] == ["2", "0", "1", "0", "0", "1", "0"]
    assert "bad.litmus:3:5: unexpected token" in _strip_ansi(shown(err))


def test_no_colour_is_plain_text_even_on_a_terminal(mp_outcome, monkeypatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    console = make_console(color=False)
    console.file = io.StringIO()
    assert console.is_terminal
    RichReporter(console, console).show(mp_outcome)
    text = shown(console)
    assert "\x1b" not in text and "Sometimes" in text


def _strip_ansi(text: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", text)
