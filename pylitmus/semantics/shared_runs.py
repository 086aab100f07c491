"""Thread runs shared between the tests of one process.

Generated suites repeat threads: the 940 base tests of the corpus have 2,050 threads
and 635 distinct ones. A thread's runs in a round of the value fixpoint follow from its
code, its initial registers, what the test declares of its locations, the options, and
the values reads may return in that round and the rounds before. When all of these are
those of a thread seen before, its runs are that thread's runs: the same objects, so the
thread-stage results the explorer keeps on each run (`Run.local`) are shared too.

Only plain threads are shared: no variant that makes runs depend on more of the test
(mixed sizes, virtual memory, instruction fetch, memory tags), no code as data, no
fault handler, and no run with an error (its message names the test's file).
"""

from __future__ import annotations

from ..frontend import ast
from . import events as E
from .machine import Env, ThreadRuns

# (thread key, the values of each round so far) -> (every run, the new runs, the writes
# of abandoned decision sequences), from the first thread that grew them
_SHARED: dict[tuple, tuple[list[E.Run], list[E.Run], list[list[E.Event]]]] = {}
SHARED_EVENTS_LIMIT = 1 << 10  # events the shared runs hold, at most (a few hundred KB)
_held = [0]  # events the shared runs hold now


class SharedThreadRuns:
    """A thread's runs round by round, as `ThreadRuns` grows them, taken from a thread
    seen before when it is the same thread under the same values."""

    def __init__(self, env: Env, thread: ast.Thread, registers: dict, execute):
        self.args = (env, thread, registers, execute)
        self.key = thread_key(env, thread, registers)
        self.rounds: tuple[frozenset, ...] = ()  # the values reads could return, by round
        self.own: ThreadRuns | None = None  # once a round is not found: grown here
        self.abandoned_writes: list[list[E.Event]] = []

    def grow(self) -> tuple[list[E.Run], list[E.Run]]:
        """As `ThreadRuns.grow`: every run under the values reads may return now, and those
        new since the last call."""
        env = self.args[0]
        if self.key is None:
            return self._grown(self._own())
        self.rounds += (frozenset((loc, frozenset(values))
                                  for loc, values in env.possible.items()),)
        found = _SHARED.get((self.key, self.rounds)) if self.own is None else None
        if found is not None:
            every, new, self.abandoned_writes = found
            return list(every), list(new)
        every, new = self._grown(self._own())
        events = sum(len(run.events) for run in new)
        if events <= SHARED_EVENTS_LIMIT and all(run.error is None for run in every):
            if _held[0] + events > SHARED_EVENTS_LIMIT:
                _SHARED.clear()
                _held[0] = 0
            _held[0] += events
            _SHARED[self.key, self.rounds] = (list(every), list(new), self.abandoned_writes)
        return every, new

    def release(self) -> None:
        """As `ThreadRuns.release`."""
        if self.own is not None:
            self.own.release()

    def _grown(self, runs: ThreadRuns) -> tuple[list[E.Run], list[E.Run]]:
        every, new = runs.grow()
        self.abandoned_writes = runs.abandoned_writes
        return every, new

    def _own(self) -> ThreadRuns:
        """This thread's own `ThreadRuns`, grown through the rounds before this one (taken
        from shared runs until now) under their values."""
        if self.own is None:
            env = self.args[0]
            self.own = ThreadRuns(*self.args)
            possible = env.possible
            try:
                for values in self.rounds[:-1]:
                    env.possible = {loc: set(found) for loc, found in values}
                    self.own.grow()
            finally:
                env.possible = possible
        return self.own


def thread_key(env: Env, thread: ast.Thread, registers: dict) -> tuple | None:
    """What a plain thread's runs follow from but the values reads may return (each
    instruction's line included: a run keeps it); None for a thread not shared."""
    if env.layout is not None or env.vmsa or env.ifetch or env.memtag \
            or env.code_locations or env.exported_labels or thread.handler is not None \
            or thread.gaps:
        return None
    bits = env.location_bits
    return (thread.index, tuple([(instr.text, instr.pos.line) for instr in thread.code]),
            frozenset(thread.labels.items()), frozenset(registers.items()), env.unroll,
            env.limits, env.variants, frozenset(env.arrays.items()),
            None if bits is None else frozenset(bits.items()))
