"""The kinds of value in registers and memory, and how herd7 prints and orders them.

Numbers are held as unsigned 64-bit Python ints. Addresses of memory locations and of
code, instructions stored as data, and under virtual memory the addresses of page-table
entries and physical addresses and the descriptors, stay symbolic, as in herd7. A final state holds
`Number`s: a number with the C type of its location, which decides how it prints.
Under memory tagging (`-variant memtag`) an address may carry a tag (`x:red`), and each
location x has a tag location `tag(x)` holding a `Tag` (`:green` unless set).
A final state may show an execution's faults (`Fault`), as herd7 prints and orders them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from ..frontend.ast import PAGE_BYTES, FaultAtom

MASK64 = (1 << 64) - 1
CODE_SPACING = 100_000  # herd7 places the code of thread Pn at (n + 1) * 100000
HANDLER_OFFSET = 1000  # and its fault handler's 1000 bytes further (herd/loader.ml)
INSTRUCTION_BITS = 32  # an AArch64 instruction is a 32-bit word

# Instructions that may be modified while another thread could execute them
# (Arm ARM B2.2.5, concurrent modification and execution of instructions).
CMODX_SAFE = frozenset({"B", "BL", "CBZ", "CBNZ", "TBZ", "TBNZ", "ISB", "NOP", "SVC"})


def cmodx_restricted(value) -> bool:
    """Is this value an instruction outside the CMODX list?"""
    if not isinstance(value, InstrBits):
        return False
    return value.text.split(None, 1)[0].upper() not in CMODX_SAFE


def code_address(thread: int, words: int) -> int:
    """herd7's address `words` instruction words from the start of thread `thread`'s code."""
    return CODE_SPACING * (thread + 1) + 4 * words


@dataclass(frozen=True)
class Addr:
    """The address `base + offset` of a memory location (offset in bytes), with the
    memory tag of a tagged pointer (`x:red`), or "" for none."""

    base: str
    offset: int = 0
    tag: str = ""

    def __str__(self) -> str:
        name = f"{self.base}:{self.tag}" if self.tag else self.base
        return name if self.offset == 0 else f"{name}+{self.offset}"


DEFAULT_TAG = "green"  # the tag a location's tag starts with


@dataclass(frozen=True)
class Tag:
    """A memory tag as a value (what a tag location holds): `:red`."""

    colour: str

    def __str__(self) -> str:
        return f":{self.colour}"


TAG_GRANULE = 16  # bytes of memory that share one tag


def tag_location(name: str, offset: int = 0) -> str:
    """The location holding the memory tag of the granule of x+offset: `tag(x)`,
    `tag(x+16)`."""
    granule = offset - offset % TAG_GRANULE
    return f"tag({name}+{granule})" if granule else f"tag({name})"


def tag_owner(loc: str) -> str | None:
    """x, for the location `tag(x)` of x's memory tag; None for another."""
    return loc[len("tag("):-1] if loc.startswith("tag(") else None


def is_tag_location(loc: str) -> bool:
    """Does the location hold a memory tag, `tag(x)`?"""
    return tag_owner(loc) is not None


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

    def moved(self, offset: int) -> CodeAddr | None:
        """The address `offset` bytes on from an unlabelled instruction's (a number to
        herd7: the instruction there, labelled or not, is reached by its number); None
        for a label (herd7 keeps the offset beside the label, and a branch to it ignores
        the offset) or an address between instructions."""
        if self.number is None or offset % 4:
            return None
        words = int(self.label[1:]) + offset // 4
        return CodeAddr(self.thread, f"@{words}") if words >= 0 else None


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
class TableAddr:
    """The address of the page-table entry (descriptor) of x: `PTE(x)`."""

    name: str

    def __str__(self) -> str:
        return f"PTE({self.name})"


@dataclass(frozen=True)
class PhysAddr:
    """The physical address of x, `PA(x)` (the output address of x's own descriptor), or
    `offset` bytes on, in an array."""

    name: str
    offset: int = 0

    def __str__(self) -> str:
        return f"PA({self.name})" if self.offset == 0 else f"PA({self.name})+{self.offset}"


@dataclass(frozen=True)
class PageAddr:
    """The page of x, `TLB(x)`: what `LSR Xd,Xn,#12` of x's address gives, the operand of
    a TLB invalidation by address."""

    name: str

    def __str__(self) -> str:
        return f"TLB({self.name})"


PAGE_SHIFT = PAGE_BYTES.bit_length() - 1  # an address's page: its bits from the 12th


def table_location(name: str) -> str:
    """The location holding the descriptor of x: `PTE(x)`."""
    return f"PTE({name})"


def entry_name(loc: str) -> str | None:
    """x, for the location `PTE(x)` of x's page-table entry; None for another."""
    return loc[len("PTE("):-1] if loc.startswith("PTE(") else None


def is_table_location(loc: str) -> bool:
    """Does the location hold a page-table entry, `PTE(x)`?"""
    return entry_name(loc) is not None


def page_name(page: str) -> str | None:
    """x, for the page `TLB(x)` a TLB invalidation names; None for another operand."""
    return page[len("TLB("):-1] if page.startswith("TLB(") else None


# Memory attributes of a descriptor (herd7's lib/AArch64PteVal.ml, Attrs): Normal memory's
# shareability, inner and outer cacheability, or a Device type. Each class lists its
# values in herd7's order.
SHAREABILITY = ("NSH", "ISH", "OSH")
INNER_CACHEABILITY = ("iWB", "iWT", "iNC")
OUTER_CACHEABILITY = ("oWB", "oWT", "oNC")
DEVICE_TYPES = ("Device-GRE", "Device-nGRE", "Device-nGnRE", "Device-nGnRnE")
NORMAL_DEFAULT = ("Normal", "ISH", "iWB", "oWB")


def memory_attributes(names: tuple[str, ...]) -> tuple[str, ...]:
    """The attributes a descriptor's `attrs:(...)` gives: one Device type alone, or Normal
    (or TaggedNormal) with a shareability and two cacheabilities, defaults filled in.
    Raises ValueError with herd7's message for a conflict."""
    if len(names) == 1 and names[0] in DEVICE_TYPES:
        return names
    attrs = list(NORMAL_DEFAULT)
    for index, values, what in ((1, SHAREABILITY, "shareability"),
                                (2, INNER_CACHEABILITY, "Inner-Cacheability"),
                                (3, OUTER_CACHEABILITY, "Outer-Cacheability")):
        given = [name for name in names if name in values]
        if len(given) > 1:
            raise ValueError(f"conflicting {what}")
        if given:
            attrs[index] = given[0]
    for name in names:
        if name in DEVICE_TYPES:
            raise ValueError(f"invalid memory attribute {name} with others")
        if name == "TaggedNormal":
            attrs[0] = name
    return tuple(attrs)


@dataclass(frozen=True)
class PteVal:
    """A page-table descriptor: its output address, flags and memory attributes
    (herd7's lib/AArch64PteVal.ml). `x` is 1 when executable."""

    oa: TableAddr | PhysAddr
    af: int = 1
    db: int = 1
    dbm: int = 0
    valid: int = 1
    el0: int = 1
    x: int = 1
    attrs: tuple[str, ...] = NORMAL_DEFAULT

    def __str__(self) -> str:
        """herd7's text: the output address, then each field that differs from its
        default, in herd7's order."""
        default = DEFAULT_FIELDS
        parts = [f"oa:{self.oa}"]
        parts += [f"{name}:{getattr(self, name)}" for name in FIELD_ORDER
                  if getattr(self, name) != default[name]]
        if self.attrs != NORMAL_DEFAULT:
            text = "TaggedNormal" if self.attrs[0] == "TaggedNormal" else ",".join(self.attrs)
            parts.append(f"attrs:({text})")
        return f"({', '.join(parts)})"

    @property
    def writable(self) -> bool:
        """Can a store go through this descriptor, no thread updating tables in hardware?"""
        return bool(self.af and self.db)

    def with_flags(self, mask: int, set_: bool) -> PteVal | None:
        """The descriptor with the flag bits of `mask` set (ORR) or cleared (BIC); db and x
        are stored inverted (a set bit 7 is db:0). None when the mask has other bits."""
        if mask & ~FLAG_MASK:
            return None
        flags = {name: int(set_ != (name in INVERTED_FLAGS)) if mask >> bit & 1
                 else getattr(self, name) for name, bit in FLAG_BITS.items()}
        return PteVal(self.oa, attrs=self.attrs, **flags)

    def masked_flags(self, mask: int) -> int:
        """The descriptor's flag bits as a number, masked (AND)."""
        return sum(1 << bit for name, bit in FLAG_BITS.items()
                   if mask >> bit & 1 and getattr(self, name) != (name in INVERTED_FLAGS))

    @property
    def order_key(self) -> tuple:
        """herd7's order of descriptors (AArch64PteVal.compare): x, attributes, output
        address, af, db, dbm, valid, el0."""
        attrs = self.attrs
        if attrs[0] in DEVICE_TYPES:
            attrs_key: tuple = (1, DEVICE_TYPES.index(attrs[0]))
        else:
            attrs_key = (0, SHAREABILITY.index(attrs[1]), INNER_CACHEABILITY.index(attrs[2]),
                         OUTER_CACHEABILITY.index(attrs[3]))
        oa_key = (isinstance(self.oa, TableAddr), self.oa.name)
        return (self.x, attrs_key, oa_key, self.af, self.db, self.dbm, self.valid, self.el0)


FIELD_ORDER = ("af", "db", "dbm", "valid", "el0", "x")  # as herd7 prints them
# The bit of each flag in a descriptor (lib/AArch64PteVal.ml, mask_valid ...); db (AP[2])
# and x (XN) are stored inverted.
FLAG_BITS = {"valid": 0, "el0": 6, "db": 7, "af": 10, "dbm": 51, "x": 54}
INVERTED_FLAGS = frozenset({"db", "x"})
FLAG_MASK = sum(1 << bit for bit in FLAG_BITS.values())
DEFAULT_FIELDS = {"af": 1, "db": 1, "dbm": 0, "valid": 1, "el0": 1, "x": 1}


@dataclass(frozen=True)
class ParEl1:
    """What an address translation (AT) leaves in PAR_EL1 (herd7's lib/AArch64AddrReg.ml):
    the output address it found, or the fault flag (f, 1) when it failed, then with no
    address (herd7's `PA()`)."""

    oa: PhysAddr | TableAddr
    fault: int = 0

    def __str__(self) -> str:
        return "(parel1_t:(f:1))" if self.fault else f"(parel1_t:(oa:{self.oa}))"


FAILED_TRANSLATION = ParEl1(PhysAddr(""), 1)


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
    return str(value)  # addresses, descriptors


def herd_order(value) -> tuple:
    """A key ordering values as herd7 orders final states: numbers (as 64-bit signed
    integers) first, then arrays, code labels, data addresses (by name, then offset),
    descriptors, PAR_EL1 values (by their fault flag alone, as herd7 compares them) and
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
        return (3, value.base, value.offset, value.tag)
    if isinstance(value, Tag):
        return (6, value.colour)  # herd7 orders tags by name
    if isinstance(value, PteVal):
        return (5, value.order_key)
    if isinstance(value, ParEl1):
        return (6, value.fault)
    if isinstance(value, InstrBits):
        return (7, " " in value.text, value.text)
    return (4, str(value))  # page-table entries' and physical addresses


class Fault(NamedTuple):
    """A fault of an execution: its thread, the labels of the faulting instruction, its
    (virtual) location, with the pointer's memory tag for a tag check (`x:red`), and its
    type (`D-MMU:Translation`)."""

    thread: int
    labels: tuple[str, ...]
    loc: str | None
    type: str
    message: str | None = None  # why, when herd7 says (`EL0`)
    offset: int = 0  # of the faulting address in its location (an array's cell)

    @property
    def order(self) -> tuple:
        """herd7's order of faults: thread, labels, location, type."""
        return (self.thread, self.labels, self.loc or "", self.offset,
                fault_type_order(self.type))

    def matches(self, atom: FaultAtom) -> bool:
        """Does the fault satisfy the atom (herd7's lib/fault.ml, check_one_fatom)? `MMU:T`
        matches `D-MMU:T` and `I-MMU:T`."""
        return (self.thread == atom.thread
                and (atom.label is None or atom.label in self.labels)
                and (atom.loc is None or self.loc is not None
                     and atom.loc == self.loc.partition(":")[0])
                and (atom.type is None or atom.type == self.type
                     or atom.type.startswith("MMU:") and self.type.endswith("-" + atom.type)))

    def text(self, type_: str) -> str:
        """herd7's `Fault(P0:L0,x,MMU:Translation)`, with the type given."""
        loc = self.loc and str(Addr(self.loc, self.offset))
        return fault_text(self.thread, self.labels, loc, type_, self.message)


def fault_text(thread: int, labels: tuple[str, ...], loc: str | None, type_: str | None,
               message: str | None = None) -> str:
    """herd7's text of a fault in a final state, `Fault(P0:L0,x,MMU:Translation)` (a fault
    atom no fault matches prints so too, after a `~`)."""
    where = f"P{thread}" + ("" if not labels else f":{labels[0]}" if len(labels) == 1
                            else ":{" + ",".join(labels) + "}")
    return f"Fault({','.join(part for part in (where, loc, type_, message) if part)})"


# herd7's order of MMU fault types (lib/faultType.ml, mmu_t).
MMU_FAULT_TYPES = ("Translation", "AccessFlag", "Permission", "Exclusive")


def fault_type_order(fault_type: str | None) -> tuple:
    """A fault type's place in herd7's order: MMU faults by their kind, after no type."""
    if fault_type is None:
        return ()
    kind = fault_type.rpartition(":")[2]
    return (MMU_FAULT_TYPES.index(kind) if kind in MMU_FAULT_TYPES else len(MMU_FAULT_TYPES),
            fault_type)
