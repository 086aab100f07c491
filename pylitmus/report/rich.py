"""The terminal view: a panel per test, a progress bar and a summary for a batch.

With no colour (not a terminal, `--no-color`, NO_COLOR) the same content is written as
plain text, with no escape codes.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from pylitmus.report.herdtext import condition_text, state_values
from pylitmus.report.runner import Outcome, Tally
from pylitmus.result import Result

OBSERVATION_STYLES = {"Always": "bold green", "Sometimes": "bold yellow", "Never": "bold red"}
SATISFIES_MARK = "✔"


def verdict_text(outcome: Outcome) -> Text:
    """`Allowed · Sometimes · Ok (1 positive, 3 negative)` (`Loop Ok` when the unroll bound
    cut runs, as herd7 says), with the expectation if any."""
    result = outcome.verdict
    text = Text.assemble(
        (result.kind, "bold"), " · ",
        (result.observation, OBSERVATION_STYLES[result.observation]), " · ",
        (("Loop " if result.loop else "") + ("Ok" if result.ok else "No"),
         "green" if result.ok else "red"),
        f"  ({result.positive} positive, {result.negative} negative)")
    expectation = outcome.expectation
    if expectation is not None:
        if expectation.matches:
            text.append(f"  expected {expectation.expected}: matches", "green")
        else:
            text.append(f"  expected {expectation.expected}: MISMATCH", "bold red")
    return text


def states_table(result: Result, hexa: bool = False) -> Table:
    """Final states, one row each, with executions and a mark when the condition holds."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False)
    rows = [state_values(state.values, hexa) for state in result.states]
    for location, _ in rows[0] if rows else []:
        table.add_column(location, justify="right")
    table.add_column("executions", justify="right")
    table.add_column("condition", justify="center")
    for state, row in zip(result.states, rows):
        mark = Text(SATISFIES_MARK, "green") if state.satisfies else Text("")
        table.add_row(*(value for _, value in row), str(state.executions), mark)
    return table


def test_panel(outcome: Outcome, hexa: bool = False) -> Panel:
    result = outcome.verdict
    condition = condition_text(result.quantifier, result.condition_tree, hexa)
    lines = [Text.assemble(("Condition ", "dim"), condition), verdict_text(outcome)]
    lines += [Text(f"Flag {flag}", "magenta") for flag in result.flags]
    details = f"{outcome.file} · {result.engine} · {result.seconds:.2f} s"
    if result.variant:
        details += f" · variant {','.join(result.variant)}"
    lines.append(Text(details, "dim"))
    return Panel(Group(*lines, states_table(result, hexa)), title=Text(result.name, "bold"),
                 title_align="left", expand=False)


def summary_table(tally: Tally) -> Table:
    table = Table(title="Summary", box=box.SIMPLE_HEAD)
    columns = [("tests", tally.tests, ""), ("Always", tally.always, "green"),
               ("Sometimes", tally.sometimes, "yellow"), ("Never", tally.never, "red"),
               ("mismatches", tally.mismatches, "bold red" if tally.mismatches else ""),
               ("errors", tally.errors, "bold red" if tally.errors else ""),
               ("timeouts", tally.timeouts, "bold red" if tally.timeouts else ""),
               ("time", f"{tally.seconds:.2f} s", "")]
    for name, _, style in columns:
        table.add_column(name, justify="right", style=style or None)
    table.add_row(*(str(value) for _, value, _ in columns))
    return table


def make_console(stderr: bool = False, color: bool = True) -> Console:
    """A console for standard output (or error); plain text when colour is off."""
    return Console(stderr=stderr, no_color=not color, color_system="auto" if color else None,
                   highlight=False)


class RichReporter:
    """Panels on `console`; errors, warnings and progress on `err_console`."""

    def __init__(self, console: Console, err_console: Console, progress: bool = True,
                 hexa: bool = False):
        self.console = console
        self.err_console = err_console
        self.hexa = hexa  # herd7's -hexa: numbers in hexadecimal
        self.show_progress = progress and err_console.is_terminal
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def start(self, total: int) -> None:
        if self.show_progress and total > 1:
            self.progress = Progress(TextColumn("checking"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=self.err_console,
                                     transient=True, auto_refresh=False,
                                     redirect_stdout=self.console.is_terminal)
            self.task = self.progress.add_task("checking", total=total)
            self.progress.start()

    def show(self, outcome: Outcome) -> None:
        if outcome.failure is not None:
            self.err_console.print(Text(outcome.failure.text, "red"))
        else:
            for warning in outcome.verdict.warnings:
                self.err_console.print(Text(f"Warning: {warning}", "yellow"))
            self.console.print(test_panel(outcome, self.hexa))
        if self.progress is not None and self.task is not None:
            self.progress.advance(self.task)
            self.progress.refresh()

    def finish(self, tally: Tally) -> None:
        if self.progress is not None:
            self.progress.stop()
        if tally.tests > 1:
            self.console.print(summary_table(tally))
