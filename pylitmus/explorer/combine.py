"""The combinations of thread runs worth exploring: one run per thread, such that every
read can read from some write of the combination.

A read returns the initial value of its location or a value that a write of the same
execution writes there. Runs are enumerated for every value any run may write, so most
combinations of runs have a read that no write of theirs matches, and no execution,
whatever the model. They are left out here, thread by thread, before any is built: the
reads a thread's run leaves unmatched must be matched by a later thread's run, and a
branch where no later thread can write one of them ends at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from ..limits import LimitError, limit_message
from ..semantics import events as E
from ..semantics.prepare import Prepared

Pair = tuple[str, object]  # (location, value)


def combinations(prepared: Prepared) -> Iterator[tuple[E.Run, ...]]:
    """The combinations of the test's runs (one per thread) whose reads all have a write.
    More of them than --max-executions is a LimitError, raised before the first is given."""
    runs, limit = prepared.runs, prepared.env.limits.max_executions
    groups = [_groups(thread, prepared.init_memory) for thread in runs]
    # later[i]: what threads i, i+1, ... can write; writers[i]: thread i's groups by value.
    later: list[frozenset[Pair]] = [frozenset()] * (len(runs) + 1)
    for i in range(len(runs) - 1, -1, -1):
        later[i] = later[i + 1].union(*(writes for _, writes, _ in groups[i]))
    writers: list[dict[Pair, set[int]]] = []
    for thread in groups:
        index: dict[Pair, set[int]] = {}
        for g, (_, writes, _) in enumerate(thread):
            for pair in writes:
                index.setdefault(pair, set()).add(g)
        writers.append(index)

    found: list[tuple[list[E.Run], ...]] = []
    count = 0
    chosen: list[list[E.Run]] = []

    def extend(i: int, written: frozenset[Pair], unmatched: frozenset[Pair]) -> None:
        nonlocal count
        if i == len(runs):
            count += _size(chosen)
            if count > limit:
                raise LimitError(limit_message(f"more than {limit} combinations of thread runs",
                                               "--max-executions", limit), prepared.test.file)
            found.append(tuple(chosen))
            return
        owed = unmatched - later[i + 1]  # what only thread i can still write
        order = sorted(set.intersection(*(writers[i].get(pair, set()) for pair in owed))) \
            if owed else range(len(groups[i]))
        for g in order:
            needs, writes, members = groups[i][g]
            left = (unmatched | (needs - written)) - writes
            if left <= later[i + 1]:
                chosen.append(members)
                extend(i + 1, written | writes, left)
                chosen.pop()

    extend(0, frozenset(), frozenset())
    for members in found:
        yield from itertools.product(*members)


def _groups(thread: list[E.Run], initial: dict) -> list[tuple[frozenset, frozenset, list[E.Run]]]:
    """The runs of one thread grouped by (values they read that neither the initial
    state nor the run itself writes, values they write)."""
    by_effects: dict[tuple[frozenset, frozenset], list[E.Run]] = {}
    for run in thread:
        writes = frozenset((ev.loc, ev.value) for ev in run.events if ev.kind == E.MEM_WRITE)
        needs = frozenset(pair for pair in ((ev.loc, ev.value) for ev in run.events
                                            if ev.kind == E.MEM_READ)
                          if pair not in writes and pair[1] != initial.get(pair[0], 0))
        by_effects.setdefault((needs, writes), []).append(run)
    return [(needs, writes, members) for (needs, writes), members in by_effects.items()]


def _size(chosen: list[list[E.Run]]) -> int:
    size = 1
    for members in chosen:
        size *= len(members)
    return size
