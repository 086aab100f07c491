"""Combinations of runs that include a run the unroll bound cut (`Run.cut`).

herd7 drops every execution that uses a cut run, but when a *candidate* execution uses
one it prints `Loop Ok` / `Loop No` and warns (herd/top_herd.ml, `call_model`: the cutoff
is noted before the model is asked). A candidate is a combination of runs with a write
for every read to read from, before the model: a write of the same location and value,
the initial one included, but not one of the read's own instruction that follows it
(herd/mem.ml, `map_load_possible_stores`, `-optace iico` being the default with a cat
model), and whose final state passes the test's filter (`check_filter` in
`fold_mem_finals`: for some choice of each location's last write, which is not the
initial write when the location has others) and, under -speedcheck, can decide the
condition (`worth_going`).
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

from ..frontend import ast
from ..semantics import events as E


class Accesses(NamedTuple):
    """A run's memory writes, and the reads no write of its own can feed."""

    writes: frozenset  # (location, value)
    needs: frozenset  # (location, value) another run must write


class CutCandidates:
    """Answers whether a combination of runs makes a candidate execution."""

    def __init__(self, init_memory: dict, final_checks: list[tuple[ast.Expr, bool]], holds):
        """`final_checks`: (expression, whether it must hold) on a candidate's final state;
        `holds(expr, registers, memory)` evaluates an expression on a final state."""
        self.init_memory = init_memory
        self.final_checks = final_checks
        self.holds = holds
        self.checked = {atom.target.name for expr, _ in final_checks for atom in ast.atoms(expr)
                        if isinstance(atom.target, ast.MemRef)}
        self._accesses: dict[int, tuple[E.Run, Accesses]] = {}

    def exists(self, runs: tuple[E.Run, ...]) -> bool:
        accesses = [self.accesses(run) for run in runs]
        for i, mine in enumerate(accesses):
            if mine.needs and not mine.needs <= frozenset().union(
                    *(other.writes for j, other in enumerate(accesses) if j != i)):
                return False
        return not self.final_checks or self.some_final_state_passes(runs)

    def accesses(self, run: E.Run) -> Accesses:
        found = self._accesses.get(id(run))
        if found is None or found[0] is not run:
            found = self._accesses[id(run)] = (run, self._run_accesses(run))
        return found[1]

    def _run_accesses(self, run: E.Run) -> Accesses:
        writes: dict[tuple, list[int]] = {}
        for ev in run.events:
            if ev.kind == E.MEM_WRITE:
                writes.setdefault((ev.loc, ev.value), []).append(ev.num)
        later = own_later_writes(run)
        needs = set()
        for ev in run.events:
            key = (ev.loc, ev.value)
            if ev.kind != E.MEM_READ or ev.value == self.init_memory.get(ev.loc, 0):
                continue
            own = writes.get(key, ())
            if not own or set(own) <= later.get(ev.num, frozenset()):
                needs.add(key)
        return Accesses(frozenset(writes), frozenset(needs))

    def some_final_state_passes(self, runs) -> bool:
        """Do the final checks pass for some choice of each location's last write?"""
        finals: dict[str, set] = {}
        for run in runs:
            for loc, value in self.accesses(run).writes:
                finals.setdefault(loc, set()).add(value)
        memory = dict(self.init_memory)
        varied = []
        for loc, values in finals.items():
            if loc.split("[")[0] in self.checked and len(values) > 1:
                varied.append((loc, sorted(values, key=repr)))
            else:
                memory[loc] = next(iter(values))
        registers = [run.registers for run in runs]
        for choice in itertools.product(*(values for _, values in varied)):
            memory.update(zip((loc for loc, _ in varied), choice))
            if all(self.holds(expr, registers, memory) == wanted
                   for expr, wanted in self.final_checks):
                return True
        return False


def own_later_writes(run: E.Run) -> dict[int, frozenset[int]]:
    """For each read of the run (by number) the writes (by number) that follow it in its
    own instruction, along iico edges: herd7 never lets a read read from them (`-optace
    iico`, the default with a cat model; the Arm model forbids them anyway)."""
    following: dict[int, list[int]] = {}
    for a, b in itertools.chain(run.iico_data, run.iico_ctrl, run.iico_order):
        following.setdefault(a, []).append(b)
    return {ev.num: frozenset(i for i in reachable(following, ev.num)
                              if run.events[i].kind == E.MEM_WRITE)
            for ev in run.events if ev.kind == E.MEM_READ and ev.num in following}


def reachable(following: dict[int, list[int]], start: int) -> set[int]:
    """The events after event `start` along the edges `following` (iico: the events that
    follow it in its instruction)."""
    seen: set[int] = set()
    frontier = [start]
    while frontier:
        for b in following.get(frontier.pop(), ()):
            if b not in seen:
                seen.add(b)
                frontier.append(b)
    return seen
