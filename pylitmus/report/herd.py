"""herd7's text output: one block of lines per test, messages on standard error."""

from __future__ import annotations

from pylitmus.report.expect import Expectation
from pylitmus.report.herdtext import condition_text, state_text
from pylitmus.report.runner import Outcome
from pylitmus.report.stream import StreamReporter
from pylitmus.result import Result


def herd_block(result: Result, hexa: bool = False) -> str:
    """The lines herd7 prints for one test, ending with a blank line. The Witnesses line
    counts executions for and against the test's claim (so a `~exists` test's positives
    are those not satisfying its condition); the Observation line counts executions
    satisfying the condition and not, whatever the quantifier (herd/top_herd.ml)."""
    satisfying, other = result.satisfied
    lines = [f"Test {result.name} {result.kind}", f"States {len(result.states)}"]
    lines += [state_text(state.values, hexa) for state in result.states]
    lines += [("Loop " if result.loop else "") + ("Ok" if result.ok else "No"), "Witnesses",
              f"Positive: {result.positive} Negative: {result.negative}"]
    lines += [f"Flag {flag}" for flag in result.flags]
    lines += [f"Condition {condition_text(result.quantifier, result.condition_tree, hexa)}",
              f"Observation {result.name} {result.observation} {satisfying} {other}",
              f"Time {result.name} {result.seconds:.2f}", ""]
    return "\n".join(lines) + "\n"


def mismatch_line(outcome: Outcome, expectation: Expectation) -> str:
    result = outcome.verdict
    return (f"{outcome.file}: {result.name}: expected {expectation.expected}, "
            f"observed {result.observation} ({result.positive} positive)")


class HerdReporter(StreamReporter):
    """Writes herd7's blocks to `out`; errors, warnings and mismatches to `err`."""

    def show(self, outcome: Outcome) -> None:
        if outcome.failure is not None:
            print(outcome.failure.text, file=self.err)
            return
        for warning in outcome.verdict.warnings:
            print(f"Warning: {warning}", file=self.err)
        self.out.write(herd_block(outcome.verdict, self.hexa))
        self.out.flush()
        if outcome.expectation is not None and not outcome.expectation.matches:
            print(mismatch_line(outcome, outcome.expectation), file=self.err)
