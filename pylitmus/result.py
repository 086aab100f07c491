"""What checking one test produces, independent of how it is reported."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class State:
    """One final state: values by location (in print order), how many executions reach
    it, and whether it satisfies the condition."""

    values: tuple[tuple[str, str], ...]
    executions: int
    satisfies: bool


@dataclass
class Result:
    """The verdict on one test, with herd7's figures."""

    file: str
    name: str
    kind: str  # Allowed | Forbidden | Required
    condition: str
    quantifier: str
    states: list[State]
    positive: int
    negative: int
    ok: bool
    observation: str  # Always | Sometimes | Never
    flags: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    variant: list[str] = field(default_factory=list)
    engine: str = "python"
    seconds: float = 0.0
    condition_tree: object = None
    decided_early: bool = False
    loop: bool = False  # the unroll bound cut runs of some candidate: herd7's `Loop Ok`
