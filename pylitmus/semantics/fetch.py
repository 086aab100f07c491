"""Instruction fetch (`-variant ifetch`): code that other code may overwrite.

An instruction whose address the test exports (a register starts with it, or
an ADR takes it) is fetched before it runs: an implicit read of its code
location returns the original instruction or any instruction stored there,
a "decode" decision depends on that value, and every first event of the
fetched instruction depends on the decision. The fetched instruction is the
one that executes.
"""

from __future__ import annotations

from functools import lru_cache

from ..frontend import ast
from ..frontend.parser import parse_instruction
from . import events as E
from .instructions import Unsupported
from .values import INSTRUCTION_BITS, CodeAddr, InstrBits


def exported_labels(test: ast.Test, init_regs) -> set[tuple[int, str]]:
    """Labels whose address the test makes visible: register values and ADR targets."""
    found = set()
    for regs in init_regs:
        for v in regs.values():
            if isinstance(v, CodeAddr):
                found.add((v.thread, v.label))
    for item in test.init:
        if isinstance(item, ast.InitMem) and isinstance(item.value, ast.CodeLabel):
            found.add((item.value.thread, item.value.label))
    for thread in test.threads:
        for instr in thread.code:
            if instr.mnemonic == "ADR" and len(instr.operands) > 1 and \
                    isinstance(instr.operands[1], ast.Name):
                found.add((thread.index, instr.operands[1].text))
    return found


def code_locations(test: ast.Test, init_regs) -> dict[str, InstrBits]:
    """Each overwritable code location (`P1:L0`) and the instruction it starts with."""
    locations = {}
    for thread_index, label in sorted(exported_labels(test, init_regs)):
        if not 0 <= thread_index < len(test.threads):
            continue
        thread = test.threads[thread_index]
        index = thread.labels.get(label)
        if index is None or index >= len(thread.code):
            continue
        locations[f"P{thread_index}:{label}"] = as_data(thread, index)
    return locations


RELATIVE = ("B", "BL", "CBZ", "CBNZ", "TBZ", "TBNZ", "ADR")


def as_data(thread: ast.Thread, index: int) -> InstrBits:
    """An instruction of the code as a value: label targets become PC offsets
    (`B L1` two instructions on is `B .+8`), as in its binary encoding."""
    instr = thread.code[index]
    last = instr.operands[-1] if instr.operands else None
    relative = instr.mnemonic in RELATIVE or instr.mnemonic.startswith("B.")
    if relative and isinstance(last, ast.Name) and last.text in thread.labels:
        offset = (thread.labels[last.text] - index) * 4
        cut = instr.text.rfind(last.text)
        return InstrBits(f"{instr.text[:cut]}.{offset:+d}")
    return InstrBits(instr.text)


def location_of(ctx) -> str | None:
    """The code location of the instruction about to run, if it is fetched."""
    for name, index in ctx.code.labels.items():
        if index == ctx.pc:
            loc = f"P{ctx.code.index}:{name}"
            if loc in ctx.env.code_locations:
                return loc
    return None


def is_fetched(ctx) -> bool:
    return location_of(ctx) is not None


@lru_cache(maxsize=None)
def decode(text: str) -> ast.Instruction:
    return parse_instruction(text)


def execute_fetched(ctx, instr: ast.Instruction, run_instruction) -> None:
    """Fetch the instruction at this address, then run whatever was fetched."""
    loc = location_of(ctx)
    value, fetch = ctx.read_mem(loc, INSTRUCTION_BITS, {"Imp", "Instr"})
    if not isinstance(value, InstrBits):
        # herd7 decodes it as a binary encoding, which may fault (0 is UDF #0).
        raise Unsupported(f"fetching the value {value} at {loc} (a binary encoding, or a "
                          f"fault) is not supported yet", static=True)
    decision = ctx.event(E.BRANCH, sets={"PRED"})
    ctx.data([fetch], decision)
    first = len(ctx.run.events)
    if value == ctx.env.code_locations[loc]:
        run_instruction(ctx, instr)
    else:
        fetched = decode(value.text)
        ctx.running_copy = True
        try:
            run_instruction(ctx, ast.Instruction(fetched.mnemonic, fetched.operands,
                                                 fetched.text, instr.pos))
        finally:
            ctx.running_copy = False
    targets = set(range(first, len(ctx.run.events)))
    for edges in (ctx.run.iico_data, ctx.run.iico_ctrl, ctx.run.iico_order):
        for a, b in edges:
            if a >= first:
                targets.discard(b)
    for num in sorted(targets):
        ctx.run.iico_ctrl.append((decision.num, num))
