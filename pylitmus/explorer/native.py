"""The C engine: the same contract and results as `python.py`, run by `_core.c`.

The C core interprets the model's execution stage (the ops of `program.py`) on
bit rows and enumerates rf and co itself, pruning partial candidates with the
monotone checks (docs/explorer.md). This module compiles a stage once into a
`_core.Program`; per frame shape, it hands the core the shape's inputs to run
the static ops on and enumerates the `choose` orientations in Python (almost
always a single empty one); per frame, it counts the consistent executions by
their coherence-last writes and flags, all the checker needs of them.
"""

from __future__ import annotations

import itertools
from typing import NamedTuple

from ..model import opcodes
from ..model import program as P
from . import _core
from .frame import Frame
from .python import orientations

CHECK_KINDS = {kind: number for number, kind in enumerate(opcodes.CHECK_KINDS)}
INPUT_RF, INPUT_CO = -1, -2


class Compiled(NamedTuple):
    """A stage ready for the C core."""

    stage: P.Stage
    core: _core.Program
    input_names: tuple[str, ...]  # the inputs of the static ops, by input index
    choice_inputs: tuple[int, ...]  # the input index of each of stage.choices
    flag_names: tuple[str, ...]
    flag_sets: dict


def compile_stage(stage: P.Stage, ops: list[P.Op] | None = None) -> Compiled:
    """A C program for `stage`, or for `ops` of it (all run as static ops)."""
    if ops is None:
        static, chosen, dynamic = P.partition(stage)
    else:
        static, chosen, dynamic = list(ops), [], []
    choice_names = [c.name for c in stage.choices]
    names: list[str] = []
    index: dict[str, int] = {}

    def source(op: P.Op) -> int:
        if op.code != P.INPUT:
            return 0
        if op.name == "rf":
            return INPUT_RF
        if op.name == "co":
            return INPUT_CO
        if op.name not in index:
            index[op.name] = len(names)
            names.append(op.name)
        return index[op.name]

    # Static inputs get the low indices, the chosen ones follow.
    for op in static:
        source(op)
    static_names = tuple(names)
    for name in choice_names:
        if name not in index:
            index[name] = len(names)
            names.append(name)
    all_ops = static + chosen + dynamic
    table = [(op.code, op.dest, op.a, op.b, source(op)) for op in all_ops]
    kinds = bytes(0 if k == P.SET else 1 for k in stage.kinds)
    checks = [(CHECK_KINDS[c.kind], c.slot, int(c.monotone)) for c in stage.checks]
    flags = [(CHECK_KINDS[f.kind], f.slot) for f in stage.flags]
    core = _core.Program(table, kinds, len(static), len(chosen), checks, flags)
    return Compiled(stage, core, static_names, tuple(index[n] for n in choice_names),
                    tuple(f.name for f in stage.flags), {})


_compiled: dict[int, Compiled] = {}


def compiled_for(stage: P.Stage) -> Compiled:
    found = _compiled.get(id(stage))
    if found is None or found.stage is not stage:
        found = _compiled[id(stage)] = compile_stage(stage)
    return found


def flag_set(prog: Compiled, mask: int) -> frozenset[str]:
    found = prog.flag_sets.get(mask)
    if found is None:
        found = prog.flag_sets[mask] = frozenset(
            name for i, name in enumerate(prog.flag_names) if mask >> i & 1)
    return found


def _choice_options(prog: Compiled, ctx: _core.Context, n: int):
    """Every combination of the `choose` orientations, as (input index, value) pairs."""
    options = []
    for choice, src in zip(prog.stage.choices, prog.choice_inputs):
        if ctx.is_empty(choice.pairs):
            # Nothing to orient: the fixed part restricted to no pairs is empty.
            options.append([(src, [0] * n)])
        else:
            pairs, fixed = ctx.slot(choice.pairs), ctx.slot(choice.fixed)
            assert isinstance(pairs, list) and isinstance(fixed, list)  # relations
            options.append([(src, rel) for rel in orientations(pairs, fixed, n)])
    return itertools.product(*options)


def evaluate_stage(stage: P.Stage, inputs: dict, n: int, wanted: list[int]) -> list:
    """Run every op of a stage without rf or co (the thread stage): the wanted slots."""
    prog = compiled_for(stage)
    ctx = _core.Context(prog.core, n, [inputs[name] for name in prog.input_names])
    return [ctx.slot(s) for s in wanted]


def _shape_state(prog: Compiled, frame: Frame) -> tuple:
    """(Context with the static ops run, choice options, locations) of the frame's shape."""
    found = frame.shape.memo.get("native")
    if found is None or found[0] is not prog:
        n = frame.n
        ctx = _core.Context(prog.core, n, [frame.inputs[name] for name in prog.input_names])
        found = frame.shape.memo["native"] = (
            prog, ctx, list(_choice_options(prog, ctx, n)), list(frame.writes_by_loc.values()))
    return found


def explore(frame: Frame, model: P.Model) -> dict:
    """The frame's consistent executions, counted: {(last writes, flags): count}."""
    if not all(frame.rf_choices):
        return {}  # a read with no write to read from: no candidate at all
    prog, ctx, choices, locations = _shape_state(compiled_for(model.execution), frame)
    counts: dict = {}
    for choice in choices:
        found = ctx.explore(choice, frame.reads, frame.rf_choices, locations)
        for (lasts, mask), count in found.items():
            key = (lasts, flag_set(prog, mask))
            counts[key] = counts.get(key, 0) + count
    return counts


def evaluate(stage: P.Stage, ops: list[P.Op], inputs: dict, n: int) -> list:
    """Run `ops` of `stage` in the C core (for tests): the slot values, None where unset."""
    prog = compile_stage(stage, ops)
    ctx = _core.Context(prog.core, n, [inputs[name] for name in prog.input_names])
    defined = {op.dest for op in ops}
    return [ctx.slot(i) if i in defined else None for i in range(len(stage.kinds))]
