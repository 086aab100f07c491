"""The syntax tree of a herd-format litmus test.

The parser produces these plain dataclasses; later stages never see Lark objects.
Every node that can be wrong carries a `Pos` so errors point at the source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Union

PAGE_BYTES = 4096  # the size of a page of memory (and of code, for `.pagealign`)


class Pos(NamedTuple):
    """A place in a source file (1-based line and column): a named tuple, as one is
    made for nearly every cell and instruction of a test, and a tuple is made faster."""

    file: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


# ---- values -------------------------------------------------------------------


@dataclass(frozen=True)
class Int:
    """An integer literal (decimal or hex, possibly negative)."""

    value: int


@dataclass(frozen=True)
class Sym:
    """The address of a memory location, e.g. `x` in `0:X1=x`, or of an array cell,
    `x[1]` (`index` counts cells, not bytes); with a memory tag, `x:red` (`tag`)."""

    name: str
    index: int | None = None
    tag: str = ""


@dataclass(frozen=True)
class TagValue:
    """A memory tag, `:red` (what a tag location `tag(x)` holds)."""

    colour: str


@dataclass(frozen=True)
class CodeLabel:
    """The address of a labelled instruction, `P1:L0` or `label:"P1:L0"`."""

    thread: int
    label: str


@dataclass(frozen=True)
class InstrValue:
    """An instruction used as data, `NOP` or `instr:"B .+8"`."""

    text: str


@dataclass(frozen=True)
class TableEntry:
    """The location of the page-table entry of x, `PTE(x)` (also `TTD(x)`, `pte_x`)."""

    name: str


@dataclass(frozen=True)
class Physical:
    """The physical address of x, `PA(x)` (also `phy_x`)."""

    name: str


@dataclass(frozen=True)
class Descriptor:
    """A page-table descriptor, `(oa:PA(x), valid:0, attrs:(Device-GRE))`: its output
    address (None when not written: the builder gives one given to `PTE(x)` `PA(x)`), its
    integer fields as written and its memory attributes."""

    oa: TableEntry | Physical | None
    fields: tuple[tuple[str, int], ...]
    attrs: tuple[str, ...]
    pos: "Pos"


@dataclass(frozen=True)
class TranslationResult:
    """What an address translation leaves in PAR_EL1, `parel1_t:(oa:PA(x))`, or
    `parel1_t:(f:1)` when it failed: its output address (None when not written) and its
    fault flag."""

    oa: TableEntry | Physical | None
    fault: int
    pos: "Pos"


Value = Union[Int, Sym, TagValue, CodeLabel, InstrValue, TableEntry, Physical, Descriptor,
              TranslationResult]


# ---- init block ---------------------------------------------------------------


@dataclass(frozen=True)
class RegRef:
    """A thread's register, `0:X1`; `reg` is upper case as written (X1, W1, ...).

    A symbolic register `%name` (as in compiler-generated tests) belongs to no thread:
    `thread` is None and `reg` keeps the name as written, `%` included."""

    thread: int | None
    reg: str
    pos: Pos


@dataclass(frozen=True)
class MemRef:
    """A memory location, `x`, `[x]`, `*x` or an array cell `t[1]`; a page-table entry
    `[PTE(x)]` is the location named `PTE(x)`, a memory tag `[tag(x)]` that named `tag(x)`."""

    name: str
    index: int | None
    pos: Pos


@dataclass(frozen=True)
class Decl:
    """A typed declaration `uint64_t x;`, `int *p;`, `uint64_t t[2];` or a typed register.

    `ctype` is the type as written, without spaces: `uint64_t`, `int*`, `ins_t`."""

    ctype: str
    target: RegRef | MemRef
    array_size: int | None
    pos: Pos


@dataclass(frozen=True)
class InitReg:
    """`0:X1=x`: a register's initial value."""

    target: RegRef
    value: Value
    pos: Pos


@dataclass(frozen=True)
class InitMem:
    """`x=1` or `t[2]={1,2}`: a location's initial value (a tuple for arrays)."""

    target: MemRef
    value: Value | tuple[Value, ...]
    pos: Pos


InitItem = Union[Decl, InitReg, InitMem]


# ---- code -----------------------------------------------------------------------


@dataclass(frozen=True)
class Reg:
    """A register operand, upper case: X3, W3, XZR, WZR, SP, WSP."""

    name: str


@dataclass(frozen=True)
class Imm:
    """An immediate `#imm` (or a bare number where AArch64 syntax allows it)."""

    value: int


@dataclass(frozen=True)
class Shift:
    """A shift or extend modifier: `LSL #2`, `SXTW`, `UXTW #3`, `ASR 1`."""

    kind: str
    amount: int | None


@dataclass(frozen=True)
class Mem:
    """A memory operand `[base, offset, modifier]`, with `!` (pre-index) or a post-index."""

    base: Reg
    offset: Reg | Imm | None
    modifier: Shift | None
    writeback: bool = False  # `[Xn,#imm]!`


@dataclass(frozen=True)
class Name:
    """A bare word operand: a label, a condition code (EQ), a barrier option (SY, ISH),
    a cache operation (CVAU, IVAU), or a symbol."""

    text: str


@dataclass(frozen=True)
class PcOffset:
    """A PC-relative target `.+8` / `.-4`."""

    offset: int


Operand = Union[Reg, Imm, Shift, Mem, Name, PcOffset]


@dataclass(frozen=True)
class Instruction:
    """One instruction: upper-case mnemonic (`LDR`, `B.EQ`, `DMB`) and its operands."""

    mnemonic: str
    operands: tuple[Operand, ...]
    text: str
    pos: Pos


@dataclass
class Thread:
    """One column of the thread table: its code, with labels pointing at instruction indices.

    `labels[name]` is the index in `code` of the instruction the label stands before
    (`len(code)` for a label at the very end). A thread's fault handler (column `Pn.F`)
    is a Thread of the same index with `is_handler` set."""

    index: int
    code: list[Instruction] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)
    pos: Pos | None = None
    label_positions: dict[str, Pos] = field(default_factory=dict)  # where each is defined
    handler: Thread | None = None  # the code a fault of this thread runs, if any
    is_handler: bool = False
    # Bytes `.pagealign` leaves out before instruction i (after the branch over them to
    # the next page, herd/loader.ml): {i: bytes}.
    gaps: dict[int, int] = field(default_factory=dict)

    def address(self, index: int) -> int:
        """herd7's offset in bytes of instruction `index` from the start of this code
        (`len(code)`: where a label after the last instruction stands)."""
        return 4 * index + sum(gap for at, gap in self.gaps.items() if at <= index)

    def index_at(self, address: int) -> int | None:
        """The instruction at an offset from the start of this code (`len(code)` for the
        end of the code, just after its last instruction), if any."""
        for index in range(len(self.code)):
            if self.address(index) == address:
                return index
        end = self.address(len(self.code) - 1) + 4 if self.code else 0
        return len(self.code) if address == end else None

    def code_of_label(self, label: str) -> Thread | None:
        """The code defining a label among this thread's code and its handler's."""
        if label in self.labels:
            return self
        if self.handler is not None and label in self.handler.labels:
            return self.handler
        return None


# ---- final part -----------------------------------------------------------------


@dataclass(frozen=True)
class Atom:
    """`0:X0=1`, `x=1`, `[x]=1`, `0:X0=x`, a whole array `t={1,2}` (a tuple value), or
    two locations with the same final value, `1:X4=1:X7`, `[x]=1:X7` (a location value)."""

    target: RegRef | MemRef
    value: Value | tuple[Value, ...] | RegRef | MemRef

    @property
    def locations(self) -> tuple[RegRef | MemRef, ...]:
        """The locations whose final values the atom reads."""
        if isinstance(self.value, (RegRef, MemRef)):
            return (self.target, self.value)
        return (self.target,)


@dataclass(frozen=True)
class FaultAtom:
    """`fault(P0:L0,x,MMU:Translation)`: a fault of thread `thread`, at an instruction with
    `label` (if given), on location `loc` (if given), of a type (if given)."""

    thread: int
    label: str | None
    loc: str | None
    type: str | None
    pos: Pos


@dataclass(frozen=True)
class Not:
    arg: "Expr"


@dataclass(frozen=True)
class And:
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Or:
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Implies:
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True)
class Const:
    """`true` or `false`."""

    value: bool


Expr = Union[Atom, FaultAtom, Not, And, Or, Implies, Const]


def fault_atoms(expr: "Expr | None") -> tuple:
    """The fault atoms of a condition expression (or of None), left to right."""
    return _leaves(expr, FaultAtom)


def atoms(expr: "Expr | None") -> tuple:
    """The atoms of a condition expression (or of None), left to right."""
    return _leaves(expr, Atom)


def _leaves(expr: "Expr | None", kind: type) -> tuple:
    """The leaves of type `kind` of a condition expression (or of None), left to right.
    Each stage walks a test's condition again: recent expressions' are kept (by
    identity, with the expression: its nodes are frozen)."""
    known = _LEAVES.get((id(expr), kind))
    if known is not None and known[0] is expr:
        return known[1]
    found: list = []
    pending = [expr]
    while pending:
        node = pending.pop()
        if isinstance(node, kind):
            found.append(node)
        elif isinstance(node, Not):
            pending.append(node.arg)
        elif isinstance(node, (And, Or, Implies)):
            pending += (node.right, node.left)
    if len(_LEAVES) >= MAX_LEAVES:
        _LEAVES.clear()
    _LEAVES[id(expr), kind] = (expr, tuple(found))
    return tuple(found)


_LEAVES: dict[tuple[int, type], tuple[object, tuple]] = {}  # (id, kind) -> (expr, leaves)
MAX_LEAVES = 64


@dataclass(frozen=True)
class Condition:
    """The final condition: `exists`, `~exists` or `forall`, and its expression."""

    quantifier: str  # "exists" | "~exists" | "forall"
    expr: Expr
    pos: Pos


@dataclass
class Test:
    """A whole litmus test."""

    arch: str
    name: str
    description: str | None
    meta: dict[str, str]
    init: list[InitItem]
    threads: list[Thread]
    locations: list[RegRef | MemRef | FaultAtom]  # faults: shown as the condition's are
    filter: Expr | None
    condition: Condition
    file: str


def columns(test: Test) -> list[Thread]:
    """The threads of a test and their fault handlers, each handler after its thread."""
    return [code for thread in test.threads for code in (thread, thread.handler)
            if code is not None]
