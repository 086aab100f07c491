"""Events of one thread run, and the run itself.

An event is one effect of one executed instruction (an *instance*): a register
read or write, a memory read or write, a branch decision, a fence, a cache
maintenance operation, an instruction fetch, and under virtual memory a fault (the
exception entry of an access its translation refuses; `loc` the virtual location,
`value` the fault's type) or a TLB invalidation (`loc` the page `TLB(x)`, or None for
all of them; `value` the operation, VAAE1IS). Events of one instance are
linked by intra-instruction edges (iico_data, iico_ctrl, iico_order); events
of different instances are ordered by program order (their instance numbers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Event kinds.
MEM_READ, MEM_WRITE, REG_READ, REG_WRITE, BRANCH, FENCE, CACHE_OP, FAULT, TLBI = (
    "R", "W", "Rreg", "Wreg", "B", "F", "C", "Fault", "TLBI")


# The kinds of event the execution stage sees (a fault, for the ordering clauses that
# start or end at it: TLBI-ob, bob).
MEMORY_KINDS = frozenset({MEM_READ, MEM_WRITE, CACHE_OP, FAULT, TLBI})


@dataclass(eq=False, slots=True)
class Event:
    """One effect. `loc` is a memory location name, a register name (register
    events), or the location a cache operation targets; `sets` are the model's
    set names the event belongs to (Exp, A, L, DATA, dmb.full, DC.CVAU, ...)."""

    num: int
    kind: str
    instance: int
    loc: str | None = None
    value: object = None
    sets: frozenset[str] = frozenset()
    symbolic: bool = False  # does the value depend on a memory read or an unset register?
    width: int = 0  # on the first byte event of a mixed-size access: the access's bytes
    # the byte offset in its array of a memory access (herd7's low-order bits of its
    # address) or of a fault's address
    offset: int = 0

    @property
    def is_memory(self) -> bool:
        """Does the execution stage of the model see this event?"""
        return self.kind in MEMORY_KINDS


class Access(tuple):
    """The byte events of one mixed-size access (`mixed.py`): where an instruction uses
    an access as a source or target of intra-instruction edges, it uses each byte."""

    __slots__ = ()


Effect = Event | Access  # what a memory access gives its instruction


def each(item) -> tuple:
    """The events of an event or of an `Access`."""
    return item if type(item) is Access else (item,)


class InstanceInfo:
    """What an executed instruction was: its index in the code running (`pc`), its text
    and its line. A plain slotted class: a run keeps one per instruction it executed."""

    __slots__ = ("pc", "text", "line")

    def __init__(self, pc: int, text: str, line: int):
        self.pc = pc
        self.text = text
        self.line = line


@dataclass(slots=True)
class Run:
    """One way a thread can execute: its events, edges and final registers."""

    thread: int
    events: list[Event] = field(default_factory=list)
    iico_data: list[tuple[int, int]] = field(default_factory=list)
    iico_ctrl: list[tuple[int, int]] = field(default_factory=list)
    iico_order: list[tuple[int, int]] = field(default_factory=list)
    sca: list[tuple[int, int]] = field(default_factory=list)
    instances: list[InstanceInfo] = field(default_factory=list)
    registers: dict[str, object] = field(default_factory=dict)
    # A run that stopped on a problem herd7 reports only if an execution uses the run.
    error: Exception | None = None
    # The loop head where the unroll bound cut the run (herd7's name for it), if it did.
    # No execution using the run counts; one candidate using it makes herd7 say `Loop`.
    cut: str | None = None
    # Filled in by the explorer: the thread stage's relations over memory events (its
    # `LocalRelations`, a type of a layer above this one).
    local: Any = None
