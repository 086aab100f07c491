"""Checks on a parsed test that need no run: threads, registers and labels are real, and
every instruction can be decoded.

herd7 refuses such tests before running them, wherever the bad name appears (an
instruction no run reaches included); so does pylitmus, pointing at the name.
"""

from __future__ import annotations

import dataclasses
import re

from ..errors import LitmusError
from ..frontend import ast
from ..frontend.parser import parse_instruction
from ..frontend.trees import REGISTER, SHIFT_KINDS
from . import annotations as A
from . import isa
from .dispatch import decode
from .instructions import BARRIER_DOMAINS, CONDITIONS
from .machine import ref_key

SYSTEM_REGISTER = re.compile(r"[A-Z][A-Z0-9]*_EL[0-3]|TFSR_EL[xX]")
WIDE_ONLY = re.compile(r"W(?:[0-9]+|ZR|SP)")  # 32-bit views, which code alone may name
REGISTER_LIKE = re.compile(r"[XWR][0-9]+", re.IGNORECASE)  # a word meant as a register
LABEL_TAKERS = frozenset(("B", "BL", "CBZ", "CBNZ", "TBZ", "TBNZ", "ADR"))
MAX_FORMS = 1 << 14  # instruction texts a process remembers as decoded and encodable


def check_static(test: ast.Test) -> None:
    """Raise a `LitmusError` at the first problem herd7 finds before any run: a location
    initialized twice, an unknown thread, register or label (in code, or as a value `P1:L0`
    of the init block or the condition), a label spelt as a keyword, an instruction (of the
    code, or given as a value) that cannot be decoded."""
    _check_initialized_once(test)
    for ref in _register_refs(test):
        if ref.thread is None:
            continue
        if ref.thread >= len(test.threads):
            raise LitmusError.at(ref.pos, f"thread {ref.thread} does not exist (the thread "
                                          f"table has P0 to P{len(test.threads) - 1})")
        if not _is_register(ref.reg):
            raise LitmusError.at(ref.pos, f"unknown register {ref.reg}")
        if WIDE_ONLY.fullmatch(ref.reg):
            # herd7 reads these names with AArch64's parse_reg, which knows X0-X30, XZR
            # and SP, not their 32-bit views (lib/symbReg.ml: "%s is not a register").
            wide = "SP" if ref.reg == "WSP" else f"X{ref.reg[1:]}"
            raise LitmusError.at(ref.pos, f"{ref.reg} is not a register here: the init block, "
                                          f"`locations` and the condition name {wide}")
    for thread in ast.columns(test):
        for label, pos in thread.label_positions.items():
            if _is_keyword(label):
                raise LitmusError.at(pos, f"label {label} is a word of the instruction syntax, "
                                          f"which herd7's lexer does not take as a label")
        for index, instr in enumerate(thread.code):
            _check_instruction(test, thread, instr)
            _check_form(test, thread, instr, index)
    for value, pos in _instruction_values(test):
        _decode_value(test, value, pos)
    for item in test.init:
        if isinstance(item, (ast.InitReg, ast.InitMem)) and isinstance(item.value, ast.CodeLabel):
            _check_label_value(test, item.value, item.pos, "the initialization list")
    for atom in ast.atoms(test.condition.expr):
        if isinstance(atom.value, ast.CodeLabel):
            _check_label_value(test, atom.value, test.condition.pos, "the condition")


def _check_initialized_once(test: ast.Test) -> None:
    """herd7 refuses a register or location that two items of the init block declare or
    set (lib/miscParser.ml: "Location x is initialized more than once")."""
    seen = set()
    for before, item in zip([None, *test.init], test.init):
        if before is not None and before.pos == item.pos:
            continue  # `int x=1;` is a declaration and a value, one item of the block
        target = item.target
        if isinstance(target, ast.RegRef):
            key = ref_key(target) if target.thread is not None else target.reg
        else:
            key = target.name if target.index is None else f"{target.name}[{target.index}]"
        if key in seen:
            raise LitmusError.at(item.pos, f"location {key} is initialized more than once")
        seen.add(key)


def _instruction_values(test: ast.Test):
    """Each instruction used as a value (`instr:"B .+8"`, `NOP`) in the init block and
    the condition, with the place to blame."""
    for item in test.init:
        values = getattr(item, "value", None)
        for value in values if isinstance(values, tuple) else (values,):
            if isinstance(value, ast.InstrValue):
                yield value, item.pos
    for atom in ast.atoms(test.condition.expr):
        for value in atom.value if isinstance(atom.value, tuple) else (atom.value,):
            if isinstance(value, ast.InstrValue):
                yield value, test.condition.pos


def _decode_value(test: ast.Test, value: ast.InstrValue, pos) -> None:
    """herd7 parses an instruction given as a value with the code's parser (a text that
    passed `_check_form` is not parsed again)."""
    if (value.text.strip(), True) in _FORMS:
        return
    try:
        instr = parse_instruction(value.text)
    except LitmusError as error:
        raise LitmusError.at(pos, f"cannot read the instruction \"{value.text}\": "
                                  f"{error.message}") from None
    _check_form(test, test.threads[0], dataclasses.replace(instr, pos=pos), 0, as_data=True)


def _check_form(test: ast.Test, thread: ast.Thread, instr: ast.Instruction, index: int,
                as_data: bool = False) -> None:
    """`decode` an instruction of the code (and `_check_encodable` it) or given as a value
    (`as_data`), once per process for each text: neither check takes anything from the
    test, the thread or the place, and the text gives the mnemonic and operands."""
    form = (instr.text, as_data)
    if form in _FORMS:
        return
    decode(test, thread, instr, index, as_data)
    if not as_data:
        _check_encodable(instr)
    if len(_FORMS) >= MAX_FORMS:
        _FORMS.clear()
    _FORMS.add(form)


_FORMS: set[tuple[str, bool]] = set()  # (text, as data) of the instructions that passed


def _check_label_value(test: ast.Test, value: ast.CodeLabel, pos, where: str) -> None:
    """A code label named as a value must exist on the thread it names."""
    threads = test.threads
    if not 0 <= value.thread < len(threads) or \
            threads[value.thread].code_of_label(value.label) is None:
        raise LitmusError.at(pos, f"label {value.label} not found on P{value.thread}, "
                                  f"yet it is used in {where}")


def _is_keyword(word: str) -> bool:
    """Is this word, in upper or in lower case, a keyword of herd7's AArch64 lexer: a
    mnemonic, register, condition, barrier option, shift or cache operation?"""
    if not (word.isupper() or word.islower()):
        return False
    word = word.upper()
    operations = {name.split(".")[1] for name in A.CACHE_OPERATIONS}
    return (word in isa.HANDLERS or word in CONDITIONS or word in BARRIER_DOMAINS
            or word in SHIFT_KINDS or word in operations or REGISTER.fullmatch(word) is not None)


def _is_register(name: str) -> bool:
    return REGISTER.fullmatch(name) is not None or SYSTEM_REGISTER.fullmatch(name) is not None


def _check_instruction(test: ast.Test, thread: ast.Thread, instr: ast.Instruction) -> None:
    takes_label = instr.mnemonic in LABEL_TAKERS or instr.mnemonic.startswith("B.")
    for i, op in enumerate(instr.operands):
        if not isinstance(op, ast.Name):
            continue
        if takes_label and i == len(instr.operands) - 1:
            _check_label(test, thread, instr, op.text)
        elif REGISTER_LIKE.fullmatch(op.text):
            raise LitmusError.at(instr.pos, f"unknown register {op.text} in `{instr.text}`")


ZERO_REGISTERS = frozenset(("XZR", "WZR"))
# Byte and halfword loads, stores and atomics (LDRB, STLRH, SWPALB, CASB, LDADDH, ...), of
# which herd7's parser reads W data registers only, but for the sign-extending loads.
SUBWORD_ACCESS = re.compile(r"(?:LD|ST|SWP|CAS)[A-Z]*[BH]")
SIGN_EXTENDING = re.compile(r"LD[A-Z]*S[BH]")
ARITHMETIC = frozenset(("ADD", "SUB", "ADDS", "SUBS", "CMP"))
LOGICAL_IMMEDIATE = frozenset(("AND", "ANDS", "EOR", "ORR", "TST"))


def _check_encodable(instr: ast.Instruction) -> None:
    """Refuse a register herd7's parser does not take (an X register for a byte or halfword
    access's data, a W register for an indirect branch), and what it parses but finds no
    encoding for (lib/AArch64Base.ml, is_valid: "Illegal instruction") or cannot run
    (herd/AArch64Sem.ml): a W index shifted by LSL in LDRB, LDRH, STRB, STRH; an
    arithmetic immediate over 12 bits or shifted but by 0 or 12, or with a zero register
    as its source (or its destination, but for the flag setters); a rotated register in
    arithmetic; a logical immediate shifted, or written to a zero register (but by ANDS);
    a shift amount over 6 bits; a MOV immediate no MOVZ or MOVN makes; a MOVZ, MOVN or
    MOVK immediate of 65535 or more or shifted by other than 0, 16 (or 32, 48 for an X
    register)."""
    ops, mnemonic = instr.operands, instr.mnemonic
    regs = [op.name for op in ops if isinstance(op, ast.Reg)]
    imms = [op.value for op in ops if isinstance(op, ast.Imm)]
    shifts = [op for op in ops if isinstance(op, ast.Shift)]
    shift = (shifts[0].amount or 0) if shifts else 0
    wide = bool(regs) and regs[0][0] == "X"
    problem = None
    if mnemonic in ARITHMETIC and imms:
        source = regs[0] if mnemonic == "CMP" else regs[1] if len(regs) > 1 else None
        if source in ZERO_REGISTERS or (mnemonic in ("ADD", "SUB") and regs[0] in ZERO_REGISTERS):
            problem = "a zero register with an immediate"
        elif shift not in (0, 12) or abs(imms[0]) >= 1 << 12:
            problem = "an immediate over 12 bits, or shifted but by 0 or 12"
    elif mnemonic in ARITHMETIC | {"NEG", "NEGS"} and shifts and shifts[0].kind == "ROR":
        problem = "a register rotated (ROR)"
    elif mnemonic in LOGICAL_IMMEDIATE and imms:
        if shift != 0 or (mnemonic in ("AND", "EOR", "ORR") and regs[0] in ZERO_REGISTERS):
            problem = "a shifted immediate, or a zero register as destination"
    elif mnemonic == "MOV" and imms and not _movable(imms[0], wide):
        problem = "an immediate no MOVZ or MOVN makes"
    elif mnemonic in ("MOVZ", "MOVN", "MOVK") and imms:
        # herd7 asserts 0 <= k < 65535 (lib/machSize.ml, is_imm16) and stops on 65535
        if not 0 <= imms[0] < 0xFFFF or shift not in ((0, 16, 32, 48) if wide else (0, 16)):
            problem = "an immediate not below 65535, or shifted by other than 0, 16, 32, 48"
    elif mnemonic in ("LSL", "LSR", "ASR", "ROR") and imms and not 0 <= imms[0] < 64:
        problem = "a shift amount over 6 bits"
    if SUBWORD_ACCESS.fullmatch(mnemonic) and not SIGN_EXTENDING.fullmatch(mnemonic):
        if any(reg[0] == "X" for reg in regs):
            problem = "a byte or halfword access takes W registers"
        memory = next((op for op in ops if isinstance(op, ast.Mem)), None)
        if mnemonic in ("LDRB", "LDRH", "STRB", "STRH") and memory is not None \
                and isinstance(memory.offset, ast.Reg) and memory.offset.name[0] == "W" \
                and memory.modifier is not None and memory.modifier.kind == "LSL":
            problem = "a W register index shifted by LSL"
    elif mnemonic in ("BR", "BLR", "RET") and any(reg[0] == "W" for reg in regs):
        problem = "an indirect branch takes an X register"
    if problem is None and shifts and shifts[0].kind in ("LSL", "LSR", "ASR", "ROR") \
            and not 0 <= shift < 64 and mnemonic not in ("MOVZ", "MOVN", "MOVK"):
        problem = "a shift amount over 6 bits"
    if problem is not None:
        raise LitmusError.at(instr.pos, f"herd7 refuses `{instr.text}`: {problem}")


def _movable(value: int, wide: bool) -> bool:
    """Does herd7 make `MOV Rd,#value` with a MOVZ or a MOVN (tr_mov_imm: one 16-bit chunk
    of the value, or of its complement, in place; the two high chunks for X registers only)?"""
    for candidate in (value, -value - 1):
        chunks = [shift for shift in (0, 16, 32, 48) if candidate >= 0
                  and candidate & (0xFFFF << shift) == candidate]
        if chunks:
            return wide or chunks[0] < 32
    return False


def _check_label(test: ast.Test, thread: ast.Thread, instr: ast.Instruction,
                 label: str) -> None:
    if test.threads[thread.index].code_of_label(label) is not None:
        return  # a handler may name its thread's labels, and they its
    owners = [t.index for t in test.threads if label in t.labels]
    message = f"label {label} is not defined on P{thread.index}, although used in `{instr.text}`"
    if owners:
        message += f" (it is P{owners[0]}'s: use a register holding P{owners[0]}:{label})"
    raise LitmusError.at(instr.pos, message)


def _register_refs(test: ast.Test):
    """Every `thread:register` of the init block, `locations`, filter and condition."""
    for item in test.init:
        if isinstance(item.target, ast.RegRef):
            yield item.target
    for ref in test.locations:
        if isinstance(ref, ast.RegRef):
            yield ref
    for expr in (test.condition.expr, test.filter):
        for atom in ast.atoms(expr):
            yield from (ref for ref in atom.locations if isinstance(ref, ast.RegRef))
