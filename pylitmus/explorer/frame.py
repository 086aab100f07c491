"""The fixed part of a candidate execution: one run per thread plus initial writes.

A `Frame` numbers the memory events of the chosen runs (initial writes first),
evaluates the model's thread stage on each run (once per run, cached), joins
the results, and lists the read-from and coherence choices left to enumerate.
All of that but the events' values and the rf choices depends only on the
frame's `Shape`, built once per test for the frames that share it.
Both engines start from a frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import evaluate as V
from ..model import program as P
from ..semantics import annotations as A
from ..semantics import events as E
from ..semantics.machine import code_sets
from ..semantics.mixed import Layout
from ..semantics.prepare import Prepared
from .cut import own_later_writes

# Cache operations that touch every line (they name no address).
IALLU = frozenset(name for name, addressed in A.CACHE_OPERATIONS.items() if not addressed)
LOCATED = frozenset({E.MEM_READ, E.MEM_WRITE, E.CACHE_OP})


def _bitset(indices) -> int:
    out = 0
    for i in indices:
        out |= 1 << i
    return out


def _relation(n: int, pairs) -> list[int]:
    rows = [0] * n
    for a, b in pairs:
        rows[a] |= 1 << b
    return rows


def _same_line(events, n: int) -> tuple[list[int], list[int]]:
    """(same-loc, scl) over events: same location; IC IALLU touches every line."""
    located = 0
    iallu = 0
    by_loc: dict = {}
    for i, ev in enumerate(events):
        if ev.kind in LOCATED:
            located |= 1 << i
            if ev.loc is not None:
                by_loc[ev.loc] = by_loc.get(ev.loc, 0) | 1 << i
            if not ev.sets.isdisjoint(IALLU):
                iallu |= 1 << i
    loc = [0] * n
    scl = [0] * n
    for i, ev in enumerate(events):
        if located >> i & 1:
            row = by_loc[ev.loc] if ev.loc is not None else 0
            loc[i] = row
            scl[i] = row | (located if iallu >> i & 1 else iallu)
    return loc, scl


def _init_accesses(init_events: list[E.Event], n: int, layout: Layout | None) -> list[int]:
    """The initial writes of one location as one access: each alone, or under the mixed
    variant the bytes of one location (or array cell) together."""
    rows = [1 << i for i in range(len(init_events))] + [0] * (n - len(init_events))
    if layout is not None:
        cells: dict[tuple[str, int], int] = {}
        for i, ev in enumerate(init_events):
            cell = layout.cell_of(ev.loc)  # type: ignore[arg-type]  # a memory location
            cells[cell] = cells.get(cell, 0) | 1 << i
        for i, ev in enumerate(init_events):
            rows[i] = cells[layout.cell_of(ev.loc)]  # type: ignore[arg-type]
    return rows


# The name under which a run's thread-stage results keep its accesses: the memory events
# of one single-copy-atomic access (the bytes of one access under the mixed variant).
ACCESSES = "sm"


# Thread-stage sets an event is in by its annotations (Imp is computed, as M & ~Exp).
NAMED_SETS = frozenset(A.ANNOTATIONS) - {"Imp"}


def thread_inputs(run: E.Run) -> dict[str, int | list[int]]:
    """The base sets and relations of the thread stage for one run."""
    evs = run.events
    n = len(evs)
    sets = dict.fromkeys(P.EVENT_SETS, 0)
    by_instance: dict[int, int] = {}
    regs: dict[str | None, int] = {}
    for i, ev in enumerate(evs):
        bit = 1 << i
        kind_set = A.KIND_SETS.get(ev.kind)
        if kind_set is not None:
            sets[kind_set] |= bit
        for name in NAMED_SETS.intersection(ev.sets):
            sets[name] |= bit
        by_instance[ev.instance] = by_instance.get(ev.instance, 0) | bit
        if ev.kind in (E.REG_READ, E.REG_WRITE):
            regs[ev.loc] = regs.get(ev.loc, 0) | bit
    sets["M"] = sets["R"] | sets["W"]
    sets["Imp"] = sets["M"] & ~sets["Exp"]
    inputs: dict[str, int | list[int]] = dict(sets)
    later = 0
    po = [0] * n
    for i in range(n - 1, -1, -1):
        # events of strictly later instances
        po[i] = later & ~by_instance[evs[i].instance]
        later |= 1 << i
    inputs["po"] = po
    inputs["same-instance"] = [by_instance[ev.instance] for ev in evs]
    inputs["id"] = [1 << i for i in range(n)]
    loc, scl = _same_line(evs, n)
    inputs["same-loc"] = loc
    inputs["scl"] = scl
    inputs["same-reg"] = [regs[ev.loc] if ev.kind in (E.REG_READ, E.REG_WRITE) else 0
                          for ev in evs]
    inputs["iico_data"] = _relation(n, run.iico_data)
    inputs["iico_ctrl"] = _relation(n, run.iico_ctrl)
    inputs["iico_order"] = _relation(n, run.iico_order)
    sca = _relation(n, run.sca + [(b, a) for a, b in run.sca])
    inputs["sca"] = [row | (1 << i) for i, row in enumerate(sca)]
    return inputs


class LocalRelations(dict):
    """The thread stage's results for one run: imported name -> value, over the run's
    memory events. Also what every frame using the run needs: those events, the
    values moved to where the run's events start in a frame (cached per start, and
    shared by the runs with the same results), and a key saying what the run gives
    a frame's shape."""

    def __init__(self, values: dict, events: list[E.Event], placed: dict[int, dict],
                 evaluate, flags: frozenset[str]):
        super().__init__(values)
        self.events = events
        self.flags = flags  # the thread stage's flags this run raises
        self.evaluate = evaluate  # the thread-stage evaluator that gave the values
        self._placed = placed
        self.shape_key = (id(placed), tuple((ev.kind, ev.loc, ev.sets) for ev in events))

    def placed(self, offset: int) -> dict:
        """The values with event k renumbered offset + k (relations: only the run's rows)."""
        found = self._placed.get(offset)
        if found is None:
            found = self._placed[offset] = {
                name: value << offset if isinstance(value, int)
                else [row << offset for row in value]
                for name, value in self.items()}
        return found


# Runs of a thread that differ only in the values they read have the same thread-stage
# inputs, hence the same results: evaluate once per model, evaluator and distinct
# inputs. The inputs are found from the run's events and edges, values left out
# (cached too).
_STAGE_RESULTS: dict[tuple, tuple[P.Model, dict, dict]] = {}
_STAGE_RESULTS_LIMIT = 4096


def _run_key(run: E.Run) -> tuple:
    """All that `thread_inputs` reads of a run."""
    return (tuple((ev.kind, ev.instance, ev.loc, ev.sets) for ev in run.events),
            tuple(run.iico_data), tuple(run.iico_ctrl), tuple(run.iico_order),
            tuple(run.sca))


def _thread_results(model: P.Model, run: E.Run, evaluate) -> tuple[dict, dict, frozenset]:
    """(imported name -> value over memory events, shared placed-values cache, flags
    raised) of a run."""
    entry = _STAGE_RESULTS.get((id(model), evaluate))
    if entry is None or entry[0] is not model:
        entry = _STAGE_RESULTS[id(model), evaluate] = (model, {}, {})
    _, by_inputs, by_run = entry
    run_key = _run_key(run)
    found = by_run.get(run_key)
    if found is not None:
        return found
    inputs = thread_inputs(run)
    keep = tuple(i for i, ev in enumerate(run.events) if ev.is_memory)
    key = (keep, tuple(v if isinstance(v, int) else tuple(v) for v in inputs.values()))
    found = by_inputs.get(key)
    if found is None:
        n = len(run.events)
        flags = model.thread.flags
        values = evaluate(model.thread, inputs, n,
                          [model.thread.names[name] for name in model.imports]
                          + [f.slot for f in flags])
        raised = frozenset(f.name for f, value in zip(flags, values[len(model.imports):])
                           if V.holds(f.kind, value, n))
        local: dict[str, int | list[int]] = {}
        for (name, kind), value in zip(model.imports.items(), values):
            if kind == P.SET:
                local[name] = _bitset(k for k, i in enumerate(keep) if value >> i & 1)
            else:
                local[name] = [_bitset(k for k, j in enumerate(keep) if value[i] >> j & 1)
                               for i in keep]
        sca = inputs["sca"]
        assert isinstance(sca, list)  # a relation
        local[ACCESSES] = [_bitset(k for k, j in enumerate(keep) if sca[i] >> j & 1)
                           for i in keep]
        found = by_inputs[key] = (local, {}, raised)
    if len(by_run) >= _STAGE_RESULTS_LIMIT:
        by_run.clear()
        by_inputs.clear()
    by_run[run_key] = found
    return found


def evaluate_in_python(stage: P.Stage, inputs: dict, n: int, wanted: list[int]) -> list:
    """Run every op of a stage without rf or co (the thread stage) with the reference
    evaluator: the wanted slots."""
    slots = V.evaluate_stage(stage, inputs, n)
    return [slots[s] for s in wanted]


def local_relations(run: E.Run, model: P.Model, evaluate) -> LocalRelations:
    """Evaluate the thread stage on a run with `evaluate(stage, inputs, n, slots)` (an
    engine's); keep the imported names, over memory events."""
    if run.local is None or run.local.evaluate is not evaluate:
        values, placed, flags = _thread_results(model, run, evaluate)
        run.local = LocalRelations(values, [ev for ev in run.events if ev.is_memory], placed,
                                   evaluate, flags)
    return run.local


@dataclass
class Shape:
    """What a frame's runs decide apart from the values their events carry: shared by
    the frames whose runs have the same thread-stage results, event kinds and
    locations. `memo` keeps an engine's own per-shape work."""

    init_events: list[E.Event]
    inputs: dict
    reads: list[int]
    writes_by_loc: dict[str, list[int]]
    locals_: list[LocalRelations]  # keeps the runs' results (and shape keys) alive
    accesses: list[int]  # each event's access: the events of its single-copy-atomic group
    memo: dict = field(default_factory=dict)


@dataclass
class Frame:
    """Memory events of one combination of runs, numbered; initial writes first."""

    runs: tuple[E.Run, ...]
    shape: Shape
    events: list[E.Event]
    rf_choices: list[list[int]]  # the writes each read may read from

    @property
    def n(self) -> int:
        return len(self.events)

    @property
    def inputs(self) -> dict:
        return self.shape.inputs

    @property
    def reads(self) -> list[int]:
        return self.shape.reads

    @property
    def writes_by_loc(self) -> dict[str, list[int]]:
        return self.shape.writes_by_loc


class FrameBuilder:
    """Builds the frames of one test, each distinct shape once."""

    SHAPES_LIMIT = 256  # a shape's inputs and engine state grow with n²: keep a few

    def __init__(self, prepared: Prepared, model: P.Model, evaluate=evaluate_in_python):
        self.prepared = prepared
        self.model = model
        self.evaluate = evaluate  # the thread stage's evaluator; see local_relations
        self.shapes: dict[tuple, Shape] = {}
        self._later: dict[int, tuple[E.Run, dict[int, frozenset[int]]]] = {}

    def frame(self, runs: tuple[E.Run, ...]) -> Frame:
        locals_ = [local_relations(run, self.model, self.evaluate) for run in runs]
        key = tuple(local.shape_key for local in locals_)
        shape = self.shapes.get(key)
        if shape is None:
            if len(self.shapes) >= self.SHAPES_LIMIT:
                self.shapes.clear()
            shape = self.shapes[key] = self._shape(locals_)
        events = list(shape.init_events)
        for local in locals_:
            events += local.events
        by_loc = shape.writes_by_loc
        later: dict[int, frozenset[int]] = {}
        for run in runs:
            later.update(self._own_later_writes(run))
        rf_choices = []
        for r in shape.reads:
            ev = events[r]
            assert ev.loc is not None  # a memory read has a location
            own = later.get(id(ev), ())
            rf_choices.append([w for w in by_loc.get(ev.loc, ()) if events[w].value == ev.value
                               and id(events[w]) not in own])
        return Frame(runs, shape, events, rf_choices)

    def _own_later_writes(self, run: E.Run) -> dict[int, frozenset[int]]:
        """`cut.own_later_writes` of the run, by event id, kept per run."""
        found = self._later.get(id(run))
        if found is None or found[0] is not run:
            events = run.events
            out = {id(events[r]): frozenset(id(events[w]) for w in writes)
                   for r, writes in own_later_writes(run).items()}
            if len(self._later) >= self.SHAPES_LIMIT:
                self._later.clear()
            found = self._later[id(run)] = (run, out)
        return found[1]

    def _shape(self, locals_: list[LocalRelations]) -> Shape:
        prepared, model = self.prepared, self.model
        # Initial writes for every location some run touches, and every known location.
        locs = set(prepared.init_memory)
        for local in locals_:
            locs.update(ev.loc for ev in local.events
                        if ev.kind in (E.MEM_READ, E.MEM_WRITE) and ev.loc is not None)
        events: list[E.Event] = []
        for loc in sorted(locs):
            value = prepared.init_memory.get(loc, 0)
            sets = frozenset({"Exp", "IW", "W", "M"} | code_sets(prepared.env, loc, value))
            events.append(E.Event(len(events), E.MEM_WRITE, -1, loc, value, sets))
        init_events = list(events)
        n_init = len(events)
        placed = []
        for local in locals_:
            placed.append(local.placed(len(events)))
            events.extend(local.events)
        n = len(events)
        # Thread-stage results, joined over threads: each run's events are one block.
        inputs: dict = {}
        for name, kind in model.imports.items():
            if kind == P.SET:
                value = 0
                for values in placed:
                    value |= values[name]
            else:
                value = [0] * n_init
                for values in placed:
                    value += values[name]
            inputs[name] = value
        iw = (1 << n_init) - 1
        for name, kind in model.imports.items():
            if kind == P.SET:
                inputs[name] |= _bitset(i for i in range(n_init) if name in events[i].sets)
        inputs["IW"] = iw
        inputs["id"] = [1 << i for i in range(n)]
        full = (1 << n) - 1
        internal = [1 << i for i in range(n_init)]
        start = n_init
        for local in locals_:
            size = len(local.events)
            internal += [((1 << size) - 1) << start] * size
            start += size
        inputs["int"] = internal
        inputs["ext"] = [full & ~row for row in internal]
        inputs["loc"], inputs["scl"] = _same_line(events, n)
        inputs["init-sca"] = _init_accesses(events[:n_init], n, prepared.env.layout)
        accesses = list(inputs["init-sca"][:n_init])
        for values in placed:
            accesses += values[ACCESSES]
        # What is left to choose: a write for each read, an order of each location's writes.
        by_loc: dict[str, list[int]] = {}
        for i, ev in enumerate(events):
            if ev.kind == E.MEM_WRITE and ev.loc is not None:
                by_loc.setdefault(ev.loc, []).append(i)
        reads = [i for i, ev in enumerate(events) if ev.kind == E.MEM_READ]
        return Shape(init_events, inputs, reads, by_loc, locals_, accesses)
