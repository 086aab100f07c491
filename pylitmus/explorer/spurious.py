"""Spurious access-flag updates: herd7's hardware updates outside every thread.

When some thread's hardware manages the access flag or the dirty bit (TTHM=), herd7 lets
the hardware set the access flag of a descriptor at any time (herd/mem.ml, add_setaf):
for each explicit write of a page-table entry (initial writes included) whose value is
valid with the flag clear, an execution may hold one update of that value, an atomic
read that must return it (from any write of that value) and the write setting the flag;
every subset of these writes gives executions of its own. A write an atomic instruction
makes of the value it has just read there (a CAS failing with a write-back) gets none.
The updates of a subset are the events of one more run, joined to a combination of the
threads' runs; their events belong to no thread: no program order, and `int` to one
another (herd7 gives them no processor, as to initial writes).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from ..semantics import events as E
from ..semantics.annotations import check_annotations
from ..semantics.machine import Env, location_sets
from ..semantics.translation import spurious_update, written_back
from ..semantics.values import is_table_location

Source = tuple[str, object]  # a page-table location and a value written there
# The one instance of a run of spurious updates (no instruction: no pc, no line).
UPDATE_INSTANCE = E.InstanceInfo(-1, "spurious access-flag update", 0)


def updates_on(env: Env) -> bool:
    """Does herd7 add spurious updates to the test's executions?"""
    return env.vmsa and env.hardware_updates.any


def is_spurious(run: E.Run) -> bool:
    """Is this a run of spurious updates (not a thread's)?"""
    return run.instances[:1] == [UPDATE_INSTANCE]


def run_sources(run: E.Run) -> list[Source]:
    """The writes of a run that may each be followed by a spurious update."""
    exempt = written_back(run)
    return [(ev.loc, ev.value) for ev in run.events
            if ev.kind == E.MEM_WRITE and "Exp" in ev.sets and ev.loc is not None
            and is_table_location(ev.loc) and spurious_update(ev.value) is not None
            and ev.num not in exempt]


def initial_sources(init_memory: dict) -> list[Source]:
    """The initial writes that may each be followed by a spurious update."""
    return [(loc, value) for loc, value in sorted(init_memory.items())
            if is_table_location(loc) and spurious_update(value) is not None]


class SpuriousRuns:
    """The runs of spurious updates for the combinations of one test."""

    def __init__(self, env: Env, init_memory: dict, thread: int):
        self.env = env
        self.initial = initial_sources(init_memory)
        self.thread = thread  # the index the runs take after the threads'
        self.runs: dict[tuple[Source, ...], E.Run] = {}
        self._sources: dict[int, tuple[E.Run, list[Source]]] = {}  # by id of a thread's run

    def sources_of(self, run: E.Run) -> list[Source]:
        """`run_sources` of a thread's run, worked out once (a run is in many
        combinations)."""
        found = self._sources.get(id(run))
        if found is None:
            found = self._sources[id(run)] = (run, run_sources(run))  # keeps the run alive
        return found[1]

    def combinations(self, runs: tuple[E.Run, ...]) -> Iterator[tuple[E.Run, ...]]:
        """The combination without updates, then with the updates of each non-empty
        subset of its writes that may have one."""
        sources = list(self.initial)
        for run in runs:
            sources += self.sources_of(run)
        yield runs
        for size in range(1, len(sources) + 1):
            for chosen in itertools.combinations(sources, size):
                yield (*runs, self.run(chosen))

    def run(self, chosen: tuple[Source, ...]) -> E.Run:
        """The run of one update (read, then write setting the flag) per chosen write."""
        found = self.runs.get(chosen)
        if found is None:
            found = self.runs[chosen] = E.Run(self.thread)
            found.instances.append(UPDATE_INSTANCE)
            for loc, value in chosen:
                events = found.events
                updated = spurious_update(value)
                read = E.Event(len(events), E.MEM_READ, 0, loc, value, self.sets(loc, value))
                events.append(read)
                write = E.Event(len(events), E.MEM_WRITE, 0, loc, updated,
                                self.sets(loc, updated))
                events.append(write)
                found.iico_data.append((read.num, write.num))
        return found

    def sets(self, loc: str, value) -> frozenset[str]:
        """The sets of an event of an update: atomic, of the access flag, of its value."""
        return check_annotations(frozenset({"X", "AF"} | location_sets(self.env, loc, value)))
