"""Values held in registers and memory: 64-bit integers and symbolic addresses.

Integers are kept as unsigned 64-bit Python ints. Addresses of memory locations
and of code, and instructions stored as data, stay symbolic, as in herd7.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MASK64 = (1 << 64) - 1
INSTRUCTION_BITS = 32  # an AArch64 instruction is a 32-bit word


@dataclass(frozen=True)
class Addr:
    """The address `base + offset` of a memory location (offset in bytes)."""

    base: str
    offset: int = 0

    def __str__(self) -> str:
        return self.base if self.offset == 0 else f"{self.base}+{self.offset}"


@dataclass(frozen=True)
class CodeAddr:
    """The address of the instruction at `label` in thread `thread`."""

    thread: int
    label: str

    def __str__(self) -> str:
        return f"P{self.thread}:{self.label}"


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


def signed(value: int, bits: int = 64) -> int:
    """Read the low `bits` of an unsigned value as a two's-complement number."""
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value

