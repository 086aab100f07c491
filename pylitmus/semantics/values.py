"""The kinds of value in registers and memory, and how herd7 prints and orders them.

Numbers are held as unsigned 64-bit Python ints. Addresses of memory locations and of
code, and instructions stored as data, stay symbolic, as in herd7. A final state holds
`Number`s: a number with the C type of its location, which decides how it prints.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MASK64 = (1 << 64) - 1
CODE_SPACING = 100_000  # herd7 places the code of thread Pn at (n + 1) * 100000
INSTRUCTION_BITS = 32  # an AArch64 instruction is a 32-bit word

# Instructions that may be modified while another thread could execute them
# (Arm ARM B2.2.5, concurrent modification and execution of instructions).
CMODX_SAFE = frozenset({"B", "BL", "CBZ", "CBNZ", "TBZ", "TBNZ", "ISB", "NOP", "SVC"})


def cmodx_restricted(value) -> bool:
    """Is this value an instruction outside the CMODX list?"""
    if not isinstance(value, InstrBits):
        return False
    return value.text.split(None, 1)[0].upper() not in CMODX_SAFE


def code_address(thread: int, index: int) -> int:
    """herd7's address of instruction `index` of thread `thread`'s code."""
    return CODE_SPACING * (thread + 1) + 4 * index


@dataclass(frozen=True)
class Addr:
    """The address `base + offset` of a memory location (offset in bytes)."""

    base: str
    offset: int = 0

    def __str__(self) -> str:
        return self.base if self.offset == 0 else f"{self.base}+{self.offset}"


@dataclass(frozen=True)
class CodeAddr:
    """The address of the instruction at `label` in thread `thread`; a label `@n` is the
    unlabelled instruction n."""

    thread: int
    label: str

    def __str__(self) -> str:
        return f"P{self.thread}:{self.label}"

    @property
    def number(self) -> int | None:
        """herd7's numeric address of an unlabelled instruction; None for a label."""
        if not self.label.startswith("@"):
            return None
        return code_address(self.thread, int(self.label[1:]))


@dataclass(frozen=True)
class InstrBits:
    """An instruction as a value (what a fetch returns, what a store of code writes).

    Its text is kept in one spelling, whatever the blanks of the source (`B   L1` is
    `B L1`, `ADD W0, W0, #1` is `ADD W0,W0,#1`), since herd7 compares and prints
    instructions, not their text."""

    text: str

    def __post_init__(self):
        text = " ".join(self.text.split())
        text = re.sub(r"\s*([,\[\]!])\s*", r"\1", text)
        mnemonic, _, rest = text.partition(" ")
        object.__setattr__(self, "text", f"{mnemonic.upper()} {rest}" if rest
                           else mnemonic.upper())

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Number:
    """A final number: its bits as herd7 keeps them (a register's 64 bits, a memory
    location's bits of its size) and the C type of its location, (bits, signed)."""

    bits: int
    ctype: tuple[int, bool]


def signed(value: int, bits: int = 64) -> int:
    """Read the low `bits` of an unsigned value as a two's-complement number."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


def literal(value: int) -> Number:
    """A number written in a condition: herd7 keeps and prints it as a 64-bit integer."""
    return Number(value & MASK64, (64, True))


def herd_text(value, hexa: bool = False) -> str:
    """A value as herd7 prints it in states and conditions. A number prints as its
    location's C type reads it: signed types in signed decimal, unsigned ones in unsigned
    decimal; with -hexa, in hexadecimal of its type's bits, never with a sign."""
    if isinstance(value, tuple):
        return "{" + ",".join(herd_text(v, hexa) for v in value) + "}"
    if isinstance(value, Number):
        size, is_signed = value.ctype
        if hexa:
            return f"{value.bits & ((1 << size) - 1):#x}"
        return str(signed(value.bits, size) if is_signed else value.bits & ((1 << size) - 1))
    if isinstance(value, CodeAddr):
        return f'label:"{value}"' if value.number is None else str(value.number)
    if isinstance(value, InstrBits):
        return value.text if " " not in value.text else f'instr:"{value.text}"'
    return str(value)


def herd_order(value) -> tuple:
    """A key ordering values as herd7 orders final states: numbers (as 64-bit signed
    integers) first, then arrays, code labels, data addresses (by name, then offset) and
    instructions. herd7 orders instructions by its syntax tree; here only its first rule
    is kept, instructions with no operand (NOP) first, then by text."""
    if isinstance(value, Number):
        return (0, signed(value.bits))
    if isinstance(value, CodeAddr):
        if value.number is not None:
            return (0, value.number)
        return (2, value.thread, value.label)
    if isinstance(value, tuple):
        return (1, tuple(herd_order(v) for v in value))
    if isinstance(value, Addr):
        return (3, value.base, value.offset)
    return (4, " " in str(value), str(value))
