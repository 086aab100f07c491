"""The fixed part of a candidate execution: one run per thread plus initial writes.

A `Frame` numbers the memory events of the chosen runs (initial writes first),
evaluates the model's thread stage on each run (once per run, cached), joins
the results, and lists the read-from and coherence choices left to enumerate.
All of that but the events' values depends only on the frame's `Shape`, built
once per test for the frames that share it; a frame's rf choices are the shape's
candidate writes of each read that write the value it reads.
Both engines start from a frame.
"""

from __future__ import annotations

from ..errors import LitmusError
from ..model import evaluate as V
from ..model import program as P
from ..semantics import annotations as A
from ..semantics import events as E
from ..semantics.machine import location_sets
from ..semantics.mixed import Layout
from ..semantics.prepare import Prepared
from ..semantics.values import (
    PhysAddr,
    PteVal,
    is_table_location,
    is_tag_location,
    page_name,
    table_location,
)
from ..variants import not_supported
from .cut import own_later_writes

# Cache operations that touch every line (they name no address).
IALLU = frozenset(name for name, addressed in A.CACHE_OPERATIONS.items() if not addressed)
LOCATED = frozenset({E.MEM_READ, E.MEM_WRITE, E.CACHE_OP})
INITIAL_WRITE_SETS = frozenset({"Exp", "IW", "W", "M"})  # and those of its location and value


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


def _same_low_order_bits(events, n: int) -> list[int]:
    """Accesses (and cache operations) at the same byte offset in their locations' arrays,
    0 outside arrays (herd7's same-low-order-bits)."""
    by_offset: dict[int, int] = {}
    for i, ev in enumerate(events):
        if ev.kind in LOCATED and ev.loc is not None:
            by_offset[ev.offset] = by_offset.get(ev.offset, 0) | 1 << i
    return [by_offset[ev.offset] if ev.kind in LOCATED and ev.loc is not None else 0
            for ev in events]


def page_table_relations(events: list[E.Event]) -> dict[str, list[int]]:
    """The relations of memory events under virtual memory, by their values: `same-oa`
    (both carry descriptors with the same output address), `at-least-one-writable` (one
    of them carries a writable descriptor; no thread updates tables in hardware),
    `different-values`, `PTEtoPA` (an access to a page-table entry, to the accesses of
    its descriptor's physical location, every cell of an array); and by their locations,
    `inv-domain` (a TLB invalidation and the accesses to the entries it covers: that of
    its page, or every one)."""
    n = len(events)
    descriptors = [ev.value if isinstance(ev.value, PteVal) else None for ev in events]
    writable = sum(1 << i for i, d in enumerate(descriptors) if d is not None and d.writable)
    everything = (1 << n) - 1
    by_oa: dict = {}
    by_loc: dict = {}
    by_name: dict = {}  # by location, the cells of an array together
    by_value: dict = {}
    for i, (ev, descriptor) in enumerate(zip(events, descriptors)):
        if descriptor is not None:
            by_oa[descriptor.oa] = by_oa.get(descriptor.oa, 0) | 1 << i
        by_loc[ev.loc] = by_loc.get(ev.loc, 0) | 1 << i
        if ev.loc is not None:
            name = ev.loc.partition("[")[0]
            by_name[name] = by_name.get(name, 0) | 1 << i
        by_value[ev.value] = by_value.get(ev.value, 0) | 1 << i
    same_oa, one_writable, different, to_physical = [], [], [], []
    for i, (ev, descriptor) in enumerate(zip(events, descriptors)):
        same_oa.append(0 if descriptor is None else by_oa[descriptor.oa])
        one_writable.append(everything if writable >> i & 1 else writable)
        different.append(everything & ~by_value[ev.value])
        physical = descriptor is not None and ev.loc is not None \
            and is_table_location(ev.loc) and isinstance(descriptor.oa, PhysAddr)
        to_physical.append(by_name.get(descriptor.oa.name, 0)
                           if physical and descriptor is not None else 0)
    tables = sum(1 << i for i, ev in enumerate(events)
                 if ev.kind in LOCATED and ev.loc is not None and is_table_location(ev.loc))
    inv_domain = [0] * n
    for i, ev in enumerate(events):
        if ev.kind != E.TLBI:
            continue
        if ev.loc is None:  # every entry
            covered = tables
        elif (page := page_name(ev.loc)) is not None:  # the entry of a page
            covered = by_loc.get(table_location(page), 0) & tables
        else:  # a number or an address: no page of the test
            covered = 0
        inv_domain[i] |= covered
        for j in V.bits(covered):
            inv_domain[j] |= 1 << i
    return {"same-oa": same_oa, "at-least-one-writable": one_writable,
            "different-values": different, "PTEtoPA": to_physical, "inv-domain": inv_domain}


def _init_accesses(init_events: list[E.Event], n: int, layout: Layout | None) -> list[int]:
    """The initial writes of one location as one access: each alone, or under the mixed
    variant the bytes of one location (or array cell) together (a tag stays alone)."""
    rows = [1 << i for i in range(len(init_events))] + [0] * (n - len(init_events))
    if layout is not None:
        cells: dict[tuple[str, int], int] = {}
        whole = [is_tag_location(ev.loc) for ev in init_events]  # type: ignore[arg-type]
        for i, ev in enumerate(init_events):
            if not whole[i]:
                cell = layout.cell_of(ev.loc)  # type: ignore[arg-type]  # a memory location
                cells[cell] = cells.get(cell, 0) | 1 << i
        for i, ev in enumerate(init_events):
            if not whole[i]:
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
    inputs["same-low-order-bits"] = _same_low_order_bits(evs, n)
    inputs["same-reg"] = [regs[ev.loc] if ev.kind in (E.REG_READ, E.REG_WRITE) else 0
                          for ev in evs]
    inputs["iico_data"] = _relation(n, run.iico_data)
    inputs["iico_ctrl"] = _relation(n, run.iico_ctrl)
    inputs["iico_order"] = _relation(n, run.iico_order)
    sca = _relation(n, run.sca + [(b, a) for a, b in run.sca])
    inputs["sca"] = [row | (1 << i) for i, row in enumerate(sca)]
    return inputs


class StageResults:
    """The thread stage's results for the runs with one set of inputs: imported name ->
    value over their memory events (`memory`: the indices of those events in a run),
    the flags raised, and the writes each read may not read from (`cut.own_later_writes`,
    both sides numbered among the memory events). The values moved to where a run's
    events start in a frame are cached per start."""

    __slots__ = ("values", "memory", "flags", "later_writes", "_placed")

    def __init__(self, values: dict, memory: tuple[int, ...], flags: frozenset[str],
                 later_writes: dict[int, frozenset[int]]):
        self.values = values
        self.memory = memory
        self.flags = flags
        self.later_writes = later_writes
        self._placed: dict[int, dict] = {}

    def placed(self, offset: int) -> dict:
        """The values with event k renumbered offset + k (relations: only the run's rows)."""
        found = self._placed.get(offset)
        if found is None:
            found = self._placed[offset] = {
                name: value << offset if isinstance(value, int)
                else [row << offset for row in value]
                for name, value in self.values.items()}
        return found


class LocalRelations:
    """What a run gives every frame using it: its thread-stage results, its memory
    events, and a key saying what the run gives a frame's shape."""

    __slots__ = ("results", "events", "model", "evaluate", "shape_key")

    def __init__(self, results: StageResults, run: E.Run, model: P.Model, evaluate):
        self.results = results
        self.events = [run.events[i] for i in results.memory]
        # the model and thread-stage evaluator that gave the results (a run may be shared
        # by tests checked under other models: semantics/shared_runs.py)
        self.model, self.evaluate = model, evaluate
        self.shape_key = (id(results), tuple([(ev.kind, ev.loc, ev.sets) for ev in self.events]))

    @property
    def flags(self) -> frozenset[str]:
        """The thread stage's flags the run raises."""
        return self.results.flags


# Runs of a thread that differ only in the values they read, or in the names of their
# locations and registers, have the same thread-stage inputs, hence the same results:
# evaluate once per model, evaluator and distinct inputs, as `_run_key` tells them apart.
_STAGE_RESULTS: dict[tuple, tuple[P.Model, dict[tuple, StageResults]]] = {}
_STAGE_RESULTS_LIMIT = 4096


def _run_key(run: E.Run) -> tuple:
    """All that `thread_inputs` reads of a run, its locations, registers and instances
    numbered in the order they come (the inputs only compare them)."""
    names: dict[str | None, int | None] = {None: None}
    instances: dict[int, int] = {}
    name, instance = names.setdefault, instances.setdefault
    return (tuple([(ev.kind, instance(ev.instance, len(instances)), name(ev.loc, len(names)),
                    ev.sets, ev.offset) for ev in run.events]),
            tuple(run.iico_data), tuple(run.iico_ctrl), tuple(run.iico_order),
            tuple(run.sca))


def _thread_results(model: P.Model, run: E.Run, evaluate) -> StageResults:
    """The thread stage's results for a run: all of them follow from its inputs, the
    iico edges and event kinds included."""
    entry = _STAGE_RESULTS.get((id(model), evaluate))
    if entry is None or entry[0] is not model:
        entry = _STAGE_RESULTS[id(model), evaluate] = (model, {})
    by_key = entry[1]
    key = _run_key(run)
    found = by_key.get(key)
    if found is None:
        inputs = thread_inputs(run)
        keep = tuple(i for i, ev in enumerate(run.events) if ev.is_memory)
        n = len(run.events)
        flags = model.thread.flags
        values = evaluate(model.thread, inputs, n,
                          [model.thread.names[name] for name in model.imports]
                          + [f.slot for f in flags])
        raised = frozenset(f.name for f, value in zip(flags, values[len(model.imports):])
                           if V.holds(f.kind, value, n))
        moved = {1 << i: 1 << k for k, i in enumerate(keep)}  # a memory event's bit
        local: dict[str, int | list[int]] = {}
        for (name, kind), value in zip(model.imports.items(), values):
            if kind == P.SET:
                local[name] = _moved(value, moved)
            else:
                local[name] = [_moved(value[i], moved) for i in keep]
        sca = inputs["sca"]
        assert isinstance(sca, list)  # a relation
        local[ACCESSES] = [_moved(sca[i], moved) for i in keep]
        at = {i: k for k, i in enumerate(keep)}
        later = {at[r]: frozenset(at[w] for w in writes)
                 for r, writes in own_later_writes(run).items()}
        if len(by_key) >= _STAGE_RESULTS_LIMIT:
            by_key.clear()
        found = by_key[key] = StageResults(local, keep, raised, later)
    return found


def _moved(bits: int, moved: dict[int, int]) -> int:
    """A set of a run's events as a set of its memory events: each bit of `moved` (a
    memory event's) set in `bits` becomes the bit it maps to; the others are dropped."""
    out = 0
    while bits:
        low = bits & -bits
        out |= moved.get(low, 0)
        bits ^= low
    return out


def evaluate_in_python(stage: P.Stage, inputs: dict, n: int, wanted: list[int]) -> list:
    """Run every op of a stage without rf or co (the thread stage) with the reference
    evaluator: the wanted slots."""
    slots = V.evaluate_stage(stage, inputs, n)
    return [slots[s] for s in wanted]


def local_relations(run: E.Run, model: P.Model, evaluate) -> LocalRelations:
    """Evaluate the thread stage on a run with `evaluate(stage, inputs, n, slots)` (an
    engine's); keep the imported names, over memory events."""
    local = run.local
    if local is None or local.evaluate is not evaluate or local.model is not model:
        local = run.local = LocalRelations(_thread_results(model, run, evaluate), run, model,
                                           evaluate)
    return local


class Shape:
    """What a frame's runs decide apart from the values their events carry: shared by
    the frames whose runs have the same thread-stage results, event kinds and
    locations. `memo` keeps an engine's own per-shape work."""

    __slots__ = ("init_events", "inputs", "reads", "writes_by_loc", "rf_candidates",
                 "locals_", "accesses", "memo")

    def __init__(self, init_events: list[E.Event], inputs: dict, reads: list[int],
                 writes_by_loc: dict[str, list[int]], rf_candidates: list[list[int]],
                 locals_: list[LocalRelations], accesses: list[int]):
        self.init_events = init_events
        self.inputs = inputs
        self.reads = reads
        self.writes_by_loc = writes_by_loc
        # For each of `reads`, the writes it may read from but for their values: those of
        # its location, less those that follow it in its own instruction.
        self.rf_candidates = rf_candidates
        self.locals_ = locals_  # keeps the runs' results (and shape keys) alive
        self.accesses = accesses  # each event's access: the events of its single-copy-atomic group
        self.memo: dict = {}


class Frame:
    """Memory events of one combination of runs, numbered; initial writes first."""

    __slots__ = ("runs", "shape", "events", "rf_choices")

    def __init__(self, runs: tuple[E.Run, ...], shape: Shape, events: list[E.Event],
                 rf_choices: list[list[int]]):
        self.runs = runs
        self.shape = shape
        self.events = events
        self.rf_choices = rf_choices  # the writes each read may read from

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

    def _refuse_unknown(self, locs: set[str], locals_: list[LocalRelations]) -> None:
        """Under vmsa, refuse a write to a location with no initial write (the page of a
        name only a descriptor gives: `prepare` refuses the entries of such names)."""
        for local in locals_:
            for ev in local.events:
                if ev.kind == E.MEM_WRITE and ev.loc is not None and ev.loc not in locs:
                    raise LitmusError(not_supported("writes to a physical page no location of "
                                                    "the test names", f"PA({ev.loc})"),
                                      self.prepared.test.file)

    def frame(self, runs: tuple[E.Run, ...]) -> Frame:
        locals_ = [local_relations(run, self.model, self.evaluate) for run in runs]
        key: tuple = tuple(local.shape_key for local in locals_)
        if self.prepared.env.vmsa:  # the shape's value relations depend on the values
            key += (tuple(ev.value for local in locals_ for ev in local.events),)
        shape = self.shapes.get(key)
        if shape is None:
            if len(self.shapes) >= self.SHAPES_LIMIT:
                self.shapes.clear()
            shape = self.shapes[key] = self._shape(locals_)
        events = list(shape.init_events)
        for local in locals_:
            events += local.events
        rf_choices = []
        for r, candidates in zip(shape.reads, shape.rf_candidates):
            value = events[r].value
            rf_choices.append([w for w in candidates if events[w].value == value])
        return Frame(runs, shape, events, rf_choices)

    def _shape(self, locals_: list[LocalRelations]) -> Shape:
        prepared, model = self.prepared, self.model
        # Initial writes for every location some run touches, and every known location;
        # under vmsa, for the known ones only: like herd7, none for the page of a name
        # that only a descriptor gives (`(oa:PA(z))`), where a translated read reads nothing.
        locs = set(prepared.init_memory)
        if prepared.env.vmsa:
            self._refuse_unknown(locs, locals_)
        else:
            locs.update(ev.loc for local in locals_ for ev in local.events
                        if ev.kind in (E.MEM_READ, E.MEM_WRITE) and ev.loc is not None)
        events: list[E.Event] = []
        for loc in sorted(locs):
            value = prepared.init_memory.get(loc, 0)
            more = location_sets(prepared.env, loc, value)
            sets = INITIAL_WRITE_SETS | more if more else INITIAL_WRITE_SETS
            events.append(E.Event(len(events), E.MEM_WRITE, -1, loc, value, sets))
        init_events = list(events)
        n_init = len(events)
        placed = []
        for local in locals_:
            placed.append(local.results.placed(len(events)))
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
        for i, ev in enumerate(init_events):  # the imported sets initial writes are in
            for name in ev.sets:
                if model.imports.get(name) == P.SET:
                    inputs[name] |= 1 << i
        inputs["IW"] = (1 << n_init) - 1
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
        if prepared.env.vmsa:
            inputs.update(page_table_relations(events))
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
        later: dict[int, frozenset[int]] = {}
        start = n_init
        for local in locals_:
            later.update((start + r, frozenset(start + w for w in writes))
                         for r, writes in local.results.later_writes.items())
            start += len(local.events)
        candidates = []
        for r in reads:
            read_loc, own = events[r].loc, later.get(r, frozenset())
            assert read_loc is not None  # a memory read has a location
            candidates.append([w for w in by_loc.get(read_loc, ()) if w not in own])
        return Shape(init_events, inputs, reads, by_loc, candidates, locals_, accesses)
