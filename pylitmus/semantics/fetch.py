"""Instruction fetch (`-variant ifetch`): code that other code may overwrite.

An instruction whose address the test exports (a register starts with it, or
an ADR takes it) is fetched before it runs: an implicit read of its code
location returns the original instruction or any instruction stored there,
a "decode" decision depends on that value, and every first event of the
fetched instruction depends on the decision. The fetched instruction is the
one that executes; a fetched value that is no instruction (0, say) is undefined and
faults as UDF does.

Under virtual memory too (`-variant vmsa,ifetch`), the instructions on a page of code
whose first instruction has a label with a page-table entry (`TTD(P0:L0)=...`) are
fetched, through the entry as herd7 translates a fetch (herd/AArch64Sem.ml,
check_self): a read of the entry, a branch on it, then the fetch from the word of the
page the descriptor maps, or an instruction-side MMU fault (an entry not executable,
`x:0`, faults too). Such a fetch reads physical memory, not a label's address: herd7's
model sees it as an implicit read, not in Instr (so no Fetch clause applies to it).
"""

from __future__ import annotations

from functools import lru_cache

from ..errors import LitmusError
from ..frontend import ast
from ..frontend.parser import parse_instruction
from ..variants import not_supported
from . import events as E
from .translation import DESCRIPTOR_BITS, fault_type, raise_fault, undefined_instruction
from .values import (
    CODE_SPACING,
    INSTRUCTION_BITS,
    CodeAddr,
    InstrBits,
    PhysAddr,
    PteVal,
    table_location,
)


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


def code_pages(test: ast.Test) -> dict[str, tuple[int, int]]:
    """The pages of code given a page-table entry in the init block (`TTD(P0:L0)=...`):
    `P0:L0` -> (the thread, the index of the instruction at L0)."""
    pages = {}
    for item in test.init:
        if isinstance(item, ast.InitMem) and item.target.name.startswith("PTE(P") and \
                ":" in item.target.name:
            page = item.target.name[len("PTE("):-1]
            thread_name, _, label = page.partition(":")
            thread = int(thread_name[1:])
            index = test.threads[thread].labels.get(label) if thread < len(test.threads) \
                else None
            if index is None or index == len(test.threads[thread].code) or \
                    test.threads[thread].address(index) % ast.PAGE_BYTES:
                raise LitmusError.at(item.pos, not_supported(
                    "a page-table entry of code but of a label starting a page of code",
                    item.target.name))
            pages[page] = (thread, index)
    return pages


def translated_fetches(test: ast.Test, pages: dict[str, tuple[int, int]]
                       ) -> dict[tuple[int, int], tuple[str, int]]:
    """The instructions fetched through a page-table entry: those on a page whose first
    instruction has a label with an entry (herd/mem.ml, a2ra: of several labels there, the
    greatest), (thread, index) -> (that page, `P0:L0`, and the instruction's word in it)."""
    fetched = {}
    for thread in test.threads:
        for index in range(len(thread.code)):
            address = thread.address(index)
            start = thread.index_at(address - address % ast.PAGE_BYTES)
            names = [name for name, at in thread.labels.items() if at == start]
            page = f"P{thread.index}:{max(names)}" if names else None
            if page in pages:
                fetched[thread.index, index] = (page, address % ast.PAGE_BYTES // 4)
    return fetched


def code_word(page: str, word: int) -> str:
    """The location of a word of a page of code (`P0:L0`, `P0:L0+1`)."""
    return page if word == 0 else f"{page}+{word}"


RELATIVE = ("B", "BL", "CBZ", "CBNZ", "TBZ", "TBNZ", "ADR")


def as_data(thread: ast.Thread, index: int) -> InstrBits:
    """An instruction of the code as a value: label targets become PC offsets
    (`B L1` two instructions on is `B .+8`), as in its binary encoding."""
    instr = thread.code[index]
    last = instr.operands[-1] if instr.operands else None
    relative = instr.mnemonic in RELATIVE or instr.mnemonic.startswith("B.")
    if relative and isinstance(last, ast.Name) and last.text in thread.labels:
        offset = thread.address(thread.labels[last.text]) - thread.address(index)
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
    return location_of(ctx) is not None or (ctx.code.index, ctx.pc) in ctx.env.translated_fetches


@lru_cache(maxsize=None)
def decode(text: str) -> ast.Instruction:
    return parse_instruction(text)


def execute_fetched(ctx, instr: ast.Instruction, run_instruction) -> None:
    """Fetch the instruction at this address (through its page-table entry under virtual
    memory), then run whatever was fetched."""
    translated = ctx.env.translated_fetches.get((ctx.code.index, ctx.pc))
    if translated is None:
        loc = location_of(ctx)
        value, fetch = ctx.read_mem(loc, INSTRUCTION_BITS, {"Imp", "Instr"})
    else:
        found = fetch_translated(ctx, *translated)
        if found is None:
            return
        loc, value, fetch = found
    decision = ctx.event(E.BRANCH, sets={"PRED"})
    ctx.data([fetch], decision)
    first = len(ctx.run.events)
    if not isinstance(value, InstrBits):
        # herd7 decodes only instructions; any other value (0, say) is an undefined one.
        undefined_instruction(ctx)
    elif value == ctx.env.code_locations[loc]:
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


def fetch_translated(ctx, page: str, word: int):
    """The fetch of word `word` of a page of code, through the page's entry: (its
    location, the instruction read, the read), or None when it faults (the thread has
    then gone where `translation.after_fault` says)."""
    descriptor, entry = ctx.read_mem(table_location(page), DESCRIPTOR_BITS)
    assert isinstance(descriptor, PteVal), "prepare refuses other values of a code page's entry"
    branch = ctx.event(E.BRANCH, sets={"PRED"})
    ctx.data([entry], branch)
    fault = fault_type(descriptor, False, ctx.checks_el0_bit) or \
        (None if descriptor.x else "Permission")
    if fault is not None:
        raise_fault(ctx, f'label:"{page}"', fault, False, (branch,), side="I")
        return None
    assert isinstance(descriptor.oa, PhysAddr) and descriptor.oa.name == page, \
        "prepare refuses a code page's entry mapping another page"
    check_other_pages(ctx, word)
    loc = code_word(page, word)
    value, fetch = ctx.read_mem(loc, INSTRUCTION_BITS, (), [entry])  # an implicit read
    ctx.ctrl([branch], fetch)
    return loc, value, fetch


def check_other_pages(ctx, word: int) -> None:
    """herd7 decodes a translated fetch against the instruction at the same place of every
    page of code a descriptor of the init block maps, as the entry might map there, and
    stops on a page with no instruction there (herd/AArch64Sem.ml, mk_mop_fetch)."""
    for thread, index in ctx.env.code_pages.values():
        code = ctx.env.test.threads[thread]
        address = code.address(index) + 4 * word
        at = code.index_at(address)
        if at is None or at == len(code.code):
            raise LitmusError(f"instruction not found by the address "
                              f"{CODE_SPACING * (thread + 1) + address} (herd7's error on a "
                              f"page of code mapped by a descriptor)", ctx.env.test.file)
