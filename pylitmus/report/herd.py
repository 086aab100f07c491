"""herd7's text output: one block of lines per test, messages on standard error."""

from __future__ import annotations

from pylitmus.report.runner import Outcome
from pylitmus.report.stream import StreamReporter
from pylitmus.result import Result, State


def state_line(state: State) -> str:
    """`0:X0=1; [x]=2;`: a final state as herd7 prints it."""
    return " ".join(f"{location}={value};" for location, value in state.values)


def herd_block(result: Result) -> str:
    """The lines herd7 prints for one test, ending with a blank line."""
    lines = [f"Test {result.name} {result.kind}", f"States {len(result.states)}"]
    lines += [state_line(state) for state in result.states]
    lines += ["Ok" if result.ok else "No", "Witnesses",
              f"Positive: {result.positive} Negative: {result.negative}"]
    lines += [f"Flag {flag}" for flag in result.flags]
    # The Observation line counts the executions that satisfy the condition, then the
    # others, whatever the quantifier; Positive/Negative swap them for ~exists
    # (herd/top_herd.ml, pp_stats: c.pos c.neg against check_wit).
    satisfy, others = ((result.negative, result.positive) if result.quantifier == "~exists"
                       else (result.positive, result.negative))
    lines += [f"Condition {result.condition}",
              f"Observation {result.name} {result.observation} {satisfy} {others}",
              f"Time {result.name} {result.seconds:.2f}", ""]
    return "\n".join(lines) + "\n"


def mismatch_line(outcome: Outcome) -> str:
    result, expectation = outcome.result, outcome.expectation
    return (f"{outcome.file}: {result.name}: expected {expectation.expected}, "
            f"observed {result.observation} ({result.positive} positive)")


class HerdReporter(StreamReporter):
    """Writes herd7's blocks to `out`; errors, warnings and mismatches to `err`."""

    def show(self, outcome: Outcome) -> None:
        if outcome.failure is not None:
            print(outcome.failure.text, file=self.err)
            return
        for warning in outcome.result.warnings:
            print(f"Warning: {warning}", file=self.err)
        self.out.write(herd_block(outcome.result))
        self.out.flush()
        if outcome.expectation is not None and not outcome.expectation.matches:
            print(mismatch_line(outcome), file=self.err)
