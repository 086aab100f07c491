"""The fixed part of a candidate execution: one run per thread plus initial writes.

A `Frame` numbers the memory events of the chosen runs (initial writes first),
evaluates the model's thread stage on each run (once per run, cached), joins
the results, and lists the read-from and coherence choices left to enumerate.
Both engines start from a frame.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import evaluate as V
from ..model import program as P
from ..semantics import events as E
from ..semantics.prepare import Prepared

IALLU = ("IC.IALLU", "IC.IALLUIS")


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
    loc = [0] * n
    scl = [0] * n
    located = [ev.kind in (E.MEM_READ, E.MEM_WRITE, E.CACHE_OP) for ev in events]
    for i, a in enumerate(events):
        if not located[i]:
            continue
        for j, b in enumerate(events):
            if not located[j]:
                continue
            if a.loc is not None and a.loc == b.loc:
                loc[i] |= 1 << j
                scl[i] |= 1 << j
            elif a.sets & set(IALLU) or b.sets & set(IALLU):
                scl[i] |= 1 << j
    return loc, scl


def thread_inputs(run: E.Run) -> dict:
    """The base sets and relations of the thread stage for one run."""
    evs = run.events
    n = len(evs)

    def having(pred):
        return _bitset(i for i, ev in enumerate(evs) if pred(ev))

    inputs = {
        "R": having(lambda e: e.kind == E.MEM_READ),
        "W": having(lambda e: e.kind == E.MEM_WRITE),
        "Rreg": having(lambda e: e.kind == E.REG_READ),
        "Wreg": having(lambda e: e.kind == E.REG_WRITE),
        "B": having(lambda e: e.kind == E.BRANCH),
    }
    inputs["M"] = inputs["R"] | inputs["W"]
    inputs["Imp"] = inputs["M"] & ~having(lambda e: "Exp" in e.sets)
    for name in P.THREAD_SETS:
        if name not in inputs:
            inputs[name] = having(lambda e, name=name: name in e.sets)
    by_instance: dict[int, int] = {}
    for i, ev in enumerate(evs):
        by_instance[ev.instance] = by_instance.get(ev.instance, 0) | 1 << i
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
    regs: dict[str, int] = {}
    for i, ev in enumerate(evs):
        if ev.kind in (E.REG_READ, E.REG_WRITE):
            regs[ev.loc] = regs.get(ev.loc, 0) | 1 << i
    inputs["same-reg"] = [regs[ev.loc] if ev.kind in (E.REG_READ, E.REG_WRITE) else 0
                          for ev in evs]
    inputs["iico_data"] = _relation(n, run.iico_data)
    inputs["iico_ctrl"] = _relation(n, run.iico_ctrl)
    inputs["iico_order"] = _relation(n, run.iico_order)
    sca = _relation(n, run.sca + [(b, a) for a, b in run.sca])
    inputs["sca"] = [row | (1 << i) for i, row in enumerate(sca)]
    return inputs


def local_relations(run: E.Run, model: P.Model) -> dict:
    """Evaluate the thread stage on a run; keep the imported names, over memory events."""
    if run.local is not None:
        return run.local
    n = len(run.events)
    slots = V.evaluate_stage(model.thread, thread_inputs(run), n)
    keep = [i for i, ev in enumerate(run.events) if ev.is_memory]
    local = {}
    for name, kind in model.imports.items():
        value = slots[model.thread.names[name]]
        if kind == P.SET:
            local[name] = _bitset(k for k, i in enumerate(keep) if value >> i & 1)
        else:
            local[name] = [_bitset(k for k, j in enumerate(keep) if value[i] >> j & 1)
                           for i in keep]
    run.local = local
    return local


@dataclass
class Frame:
    """Memory events of one combination of runs, numbered; initial writes first."""

    prepared: Prepared
    runs: tuple[E.Run, ...]
    events: list[E.Event] = field(default_factory=list)
    thread_of: list[int] = field(default_factory=list)  # -1 for initial writes
    inputs: dict = field(default_factory=dict)
    reads: list[int] = field(default_factory=list)
    rf_choices: list[list[int]] = field(default_factory=list)
    writes_by_loc: dict[str, list[int]] = field(default_factory=dict)
    init_write: dict[str, int] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.events)


def build_frame(prepared: Prepared, runs: tuple[E.Run, ...], model: P.Model) -> Frame:
    frame = Frame(prepared, runs)
    code_locs = prepared.env.code_locations
    # Initial writes for every location some run touches, and every known location.
    locs = set(prepared.init_memory)
    for run in runs:
        locs.update(ev.loc for ev in run.events
                    if ev.kind in (E.MEM_READ, E.MEM_WRITE))
    for loc in sorted(locs):
        sets = frozenset({"Exp", "IW"} | ({"Instr"} if loc in code_locs else set()))
        frame.init_write[loc] = len(frame.events)
        frame.events.append(E.Event(len(frame.events), E.MEM_WRITE, -1, loc,
                                    prepared.init_memory.get(loc, 0), sets))
        frame.thread_of.append(-1)
    n_init = len(frame.events)
    offsets = []
    for t, run in enumerate(runs):
        offsets.append(len(frame.events))
        for ev in run.events:
            if ev.is_memory:
                frame.events.append(ev)
                frame.thread_of.append(t)
    n = frame.n
    # Thread-stage results, joined over threads.
    inputs: dict = {}
    for name, kind in model.imports.items():
        if kind == P.SET:
            value = 0
            for off, run in zip(offsets, runs):
                value |= local_relations(run, model)[name] << off
        else:
            value = [0] * n
            for off, run in zip(offsets, runs):
                for k, row in enumerate(local_relations(run, model)[name]):
                    value[off + k] = row << off
        inputs[name] = value
    iw = (1 << n_init) - 1
    for name in ("W", "M", "Exp"):
        if name in inputs:
            inputs[name] |= iw
    if "Instr" in inputs:
        inputs["Instr"] |= _bitset(i for i in range(n_init) if frame.events[i].loc in code_locs)
    inputs["IW"] = iw
    inputs["id"] = [1 << i for i in range(n)]
    by_thread: dict[int, int] = {}
    for i, t in enumerate(frame.thread_of):
        if t >= 0:
            by_thread[t] = by_thread.get(t, 0) | 1 << i
    full = (1 << n) - 1
    inputs["int"] = [by_thread.get(t, 1 << i) if t >= 0 else 1 << i
                     for i, t in enumerate(frame.thread_of)]
    inputs["ext"] = [full & ~row for row in inputs["int"]]
    loc, scl = _same_line(frame.events, n)
    inputs["loc"] = loc
    inputs["scl"] = scl
    frame.inputs = inputs
    # What is left to choose: a write for each read, an order of each location's writes.
    for i, ev in enumerate(frame.events):
        if ev.kind == E.MEM_WRITE:
            frame.writes_by_loc.setdefault(ev.loc, []).append(i)
    for i, ev in enumerate(frame.events):
        if ev.kind == E.MEM_READ:
            frame.reads.append(i)
            frame.rf_choices.append([w for w in frame.writes_by_loc.get(ev.loc, [])
                                     if frame.events[w].value == ev.value])
    return frame
