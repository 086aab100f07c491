"""What checking one test produces, independent of how it is reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from .frontend import ast


@dataclass(frozen=True)
class Location:
    """A place a final state shows: register `name` of `thread`, memory location `name`
    (`array`: a whole array), or cell `index` of array `name`."""

    name: str
    thread: int | None = None
    index: int | None = None
    array: bool = False


# The place of a state's faults (only when the condition names faults), after its locations.
FAULTS = Location("faults")


def is_faults(location: Location) -> bool:
    """Is this the place of a state's faults? (Names first: they differ for nearly every
    location, and compare faster than whole dataclasses; every state shows each place.)"""
    return location.name == FAULTS.name and location == FAULTS


@dataclass(frozen=True)
class Faults:  # not a tuple: herd_text prints tuples as arrays
    """The faults a final state shows, herd7's `Fault(P0:L0,x,MMU:Translation);` each,
    then `~Fault(...);` for each fault atom of the condition no fault matches."""

    shown: tuple[str, ...]
    # herd7's order of states by their faults: those shown, compared as sorted sequences
    # of (thread, labels, location, type), no fault first
    order: tuple = ()

    def __str__(self) -> str:
        return " ".join(f"{text};" for text in self.shown)


class State(NamedTuple):
    """One final state: values by location (in herd7's order; the values are those of
    `pylitmus.semantics.values`), how many executions reach it, and whether it satisfies
    the condition."""

    values: tuple[tuple[Location, object], ...]
    executions: int
    satisfies: bool


@dataclass
class Result:
    """The verdict on one test, with herd7's figures."""

    file: str
    name: str
    kind: str  # Allowed | Forbidden | Required
    quantifier: str
    states: list[State]
    positive: int
    negative: int
    ok: bool
    observation: str  # Always | Sometimes | Never
    condition_tree: ast.Expr  # the condition's expression
    flags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    variant: list[str] = field(default_factory=list)
    engine: str = "python"
    seconds: float = 0.0
    loop: bool = False  # the unroll bound cut runs of some candidate: herd7's `Loop Ok`

    @property
    def satisfied(self) -> tuple[int, int]:
        """(executions satisfying the condition, executions not satisfying it): herd7's
        Observation figures, whatever the quantifier."""
        if self.quantifier == "~exists":
            return self.negative, self.positive
        return self.positive, self.negative
