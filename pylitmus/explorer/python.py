"""The reference engine: every candidate, checked by the Python model evaluator.

Slow and simple on purpose; the C engine must agree with it on every test.
"""

from __future__ import annotations

import itertools

from ..model import evaluate as V
from ..model import program as P
from .frame import Frame, evaluate_in_python

evaluate_stage = evaluate_in_python  # the thread stage, as this engine runs it


def orientations(pairs: list[int], fixed: list[int], n: int):
    """Every relation that orients each pair of `pairs` one way or the other,
    keeping the orientation `fixed` imposes where it imposes one."""
    both = [p | q for p, q in zip(pairs, V.inverse(pairs, n))]
    kept = [f & b for f, b in zip(fixed, both)]
    kept_both = [k | q for k, q in zip(kept, V.inverse(kept, n))]
    free = [(i, j) for i in range(n) for j in V.bits(pairs[i] & ~kept_both[i])]
    for flips in itertools.product((False, True), repeat=len(free)):
        rel = list(kept)
        for (i, j), flip in zip(free, flips):
            if flip:
                rel[j] |= 1 << i
            else:
                rel[i] |= 1 << j
        yield rel


def choice_assignments(stage: P.Stage, slots: list, n: int):
    """Every combination of the stage's `choose` enumerations."""
    options = [list(orientations(slots[c.pairs], slots[c.fixed], n)) for c in stage.choices]
    for combo in itertools.product(*options):
        yield {c.name: rel for c, rel in zip(stage.choices, combo)}


def coherence_orders(frame: Frame):
    """Every coherence order: per location, initial write first, then a permutation."""
    per_loc = []
    for writes in frame.writes_by_loc.values():
        init, rest = writes[0], writes[1:]
        per_loc.append([(init, *perm) for perm in itertools.permutations(rest)])
    for combo in itertools.product(*per_loc):
        co = [0] * frame.n
        for order in combo:
            for k, a in enumerate(order):
                for b in order[k + 1:]:
                    co[a] |= 1 << b
        yield co


def last_writes(frame: Frame, co: list[int]) -> tuple[int, ...]:
    """Each location's coherence-last write, in the order of `frame.writes_by_loc`."""
    lasts = []
    for writes in frame.writes_by_loc.values():
        mask = 0
        for w in writes:
            mask |= 1 << w
        lasts.append(next(w for w in writes if not co[w] & mask))
    return tuple(lasts)


def candidates(frame: Frame, model: P.Model):
    """Every candidate execution of a frame, as (rf, co, slots, failed checks).
    `slots` is reused from one candidate to the next: copy it to keep it."""
    stage = model.execution
    n = frame.n
    static, chosen, dynamic = P.partition(stage)
    slots: list = [None] * len(stage.kinds)
    V.run_ops(stage, static, slots, frame.inputs, n)
    for choice in choice_assignments(stage, slots, n):
        inputs = dict(frame.inputs, **choice)
        V.run_ops(stage, chosen, slots, inputs, n)
        for sources in itertools.product(*frame.rf_choices):
            rf = [0] * n
            for r, w in zip(frame.reads, sources):
                rf[w] |= 1 << r
            inputs["rf"] = rf
            for co in coherence_orders(frame):
                inputs["co"] = co
                V.run_ops(stage, dynamic, slots, inputs, n)
                failed = [c for c in stage.checks if not V.holds(c.kind, slots[c.slot], n)]
                yield rf, co, slots, failed


def explore(frame: Frame, model: P.Model) -> dict:
    """The frame's consistent executions, counted: {(last writes, flags): count}."""
    stage = model.execution
    counts: dict = {}
    for _, co, slots, failed in candidates(frame, model):
        if failed:
            continue
        flags = frozenset(f.name for f in stage.flags if V.holds(f.kind, slots[f.slot], frame.n))
        key = (last_writes(frame, co), flags)
        counts[key] = counts.get(key, 0) + 1
    return counts
