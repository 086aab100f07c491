"""The combinations of thread runs worth exploring: one run per thread, such that every
read can read from some write of the combination.

A read returns the initial value of its location or a value that a write of the same
execution writes there. Runs are enumerated for every value any run may write, so most
combinations of runs have a read that no write of theirs matches, and no execution,
whatever the model. They are left out here, thread by thread, before any is built: the
reads a thread's run leaves unmatched must be matched by a later thread's run, and a
branch where no later thread can write one of them ends at once. What the last thread
must write is looked up among the sets of pairs one of its groups writes, so a branch
that no single group of it can finish ends before it is reached. Sets of (location,
value) pairs are bit masks. Spurious access-flag updates (`spurious.py`) join each
combination afterwards; a write that may have one counts here as writing its result too.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator

from ..limits import LimitError, limit_message
from ..semantics import events as E
from ..semantics.prepare import Prepared
from ..semantics.translation import spurious_update
from .spurious import SpuriousRuns, updates_on

Pair = tuple[str | None, object]  # (location, value)
SUBSETS_MAX = 12  # the most pairs of one group's writes whose subsets `_covering` lists


def combinations(prepared: Prepared) -> Iterator[tuple[E.Run, ...]]:
    """The combinations of the test's runs (one per thread) whose reads all have a write.
    More of them than --max-executions is a LimitError, raised before the first is given."""
    runs = prepared.runs
    spurious = SpuriousRuns(prepared.env, prepared.init_memory, len(runs)) \
        if updates_on(prepared.env) else None
    bits: dict[Pair, int] = {}  # each (location, value) pair's bit in the masks below
    groups = [_groups(thread, prepared.init_memory, bits, spurious) for thread in runs]
    # What spurious updates of the initial writes may write.
    initially = 0 if spurious is None else _spurious_writes(spurious.initial, bits)
    last = len(runs) - 1
    # later[i]: what threads i, i+1, ... can write; writers[i]: thread i's groups by pair.
    later = [0] * (len(runs) + 1)
    for i in range(last, -1, -1):
        later[i] = later[i + 1]
        for _, writes, _ in groups[i]:
            later[i] |= writes
    writers: list[dict[int, set[int]]] = []
    for thread in groups:
        index: dict[int, set[int]] = {}
        for g, (_, writes, _) in enumerate(thread):
            for bit in _bits(writes):
                index.setdefault(bit, set()).add(g)
        writers.append(index)
    covering = _covering(groups[last]) if runs else None
    search = _Search(prepared, groups, later, writers, covering)
    search.extend(0, initially, 0)
    for members in search.found:
        if spurious is None:
            yield from itertools.product(*members)
        else:
            for chosen in itertools.product(*members):
                yield from spurious.combinations(chosen)


class _Search:
    """The walk over the threads' groups of `combinations` (a class, not a closure that
    calls itself, so that reference counting frees what it holds)."""

    def __init__(self, prepared: Prepared, groups: list[list[tuple]], later: list[int],
                 writers: list[dict[int, set[int]]], covering: dict | None):
        self.prepared, self.groups, self.later = prepared, groups, later
        self.writers, self.covering = writers, covering
        self.limit = prepared.env.limits.max_executions
        self.last = len(groups) - 1
        self.found: list[tuple[list[E.Run], ...]] = []
        self.count = 0
        self.chosen: list[list[E.Run]] = []

    def extend(self, i: int, written: int, unmatched: int) -> None:
        groups, later, covering, last, chosen = \
            self.groups, self.later, self.covering, self.last, self.chosen
        if i == len(groups):
            self.count += _size(chosen)
            if self.count > self.limit:
                limit = self.limit
                raise LimitError(limit_message(f"more than {limit} combinations of thread runs",
                                               "--max-executions", limit),
                                 self.prepared.test.file)
            self.found.append(tuple(chosen))
            return
        owed = unmatched & ~later[i + 1]  # what only thread i can still write
        order: Iterable[int]
        if i == last and covering is not None:
            order = covering.get(owed, ())
        elif owed:
            order = sorted(set.intersection(*(self.writers[i].get(bit, set())
                                              for bit in _bits(owed))))
        else:
            order = range(len(groups[i]))
        # Thread i + 1 is the last: one of its groups must write all that is left.
        next_covers = covering if i + 1 == last else None
        for g in order:
            needs, writes, members = groups[i][g]
            left = (unmatched | needs) & ~(written | writes)
            if left & ~later[i + 1] or (next_covers is not None and left not in next_covers):
                continue
            chosen.append(members)
            self.extend(i + 1, written | writes, left)
            chosen.pop()


def _groups(thread: list[E.Run], initial: dict, bits: dict[Pair, int],
            spurious: SpuriousRuns | None) -> list[tuple]:
    """The runs of one thread grouped by (values they read that neither the initial
    state nor the run itself writes, values they write, with `spurious` those spurious
    updates of their writes may write), as masks of `bits`."""
    by_effects: dict[tuple[int, int], list[E.Run]] = {}
    for run in thread:
        writes = 0 if spurious is None else _spurious_writes(spurious.sources_of(run), bits)
        needs = 0
        for ev in run.events:
            if ev.kind == E.MEM_WRITE:
                writes |= 1 << bits.setdefault((ev.loc, ev.value), len(bits))
        for ev in run.events:
            if ev.kind == E.MEM_READ and ev.value != initial.get(ev.loc, 0):
                needs |= 1 << bits.setdefault((ev.loc, ev.value), len(bits))
        by_effects.setdefault((needs & ~writes, writes), []).append(run)
    return [(needs, writes, members) for (needs, writes), members in by_effects.items()]


def _spurious_writes(sources: Iterable[Pair], bits: dict[Pair, int]) -> int:
    """What spurious updates of writes of these (location, value) pairs may write."""
    mask = 0
    for loc, value in sources:
        mask |= 1 << bits.setdefault((loc, spurious_update(value)), len(bits))
    return mask


def _covering(groups: list[tuple]) -> dict[int, list[int]] | None:
    """For the last thread, whose groups must write all that the others leave unmatched:
    each set of pairs some group writes all of -> the groups that do, in order. None if
    a group writes too many pairs to list the subsets of its writes."""
    covering: dict[int, list[int]] = {}
    for g, (_, writes, _) in enumerate(groups):
        pairs = _bits(writes)
        if len(pairs) > SUBSETS_MAX:
            return None
        for chosen in range(1 << len(pairs)):
            subset = 0
            for k, bit in enumerate(pairs):
                if chosen >> k & 1:
                    subset |= 1 << bit
            covering.setdefault(subset, []).append(g)
    return covering


def _bits(mask: int) -> list[int]:
    """The bits set in a mask."""
    return [bit for bit in range(mask.bit_length()) if mask >> bit & 1]


def _size(chosen: list[list[E.Run]]) -> int:
    size = 1
    for members in chosen:
        size *= len(members)
    return size
