"""herd's cat language: a model file compiled into the ops of `program.py`.

The model is evaluated once, at compile time. Sets and relations become slots of
straight-line programs (`Sym`), functions are closures applied at compile time, and
everything that needs the events themselves (`match` on sets of events, enumerations
other than herd's coherence order) is refused with the place it is written.

Where a value is computed. herd evaluates a model over the events of one execution.
pylitmus's execution stage has the memory events (and cache operations) and the
initial writes only; its thread stage has all the events of one thread run. A value is
computed in the thread stage when that gives herd's value exactly on each thread
(`EXACT`: the relation only relates events of one thread) or at least on the pairs of
one thread (`DIAG`, e.g. `loc`, `_ * F`); it is computed in the execution stage when it
gives herd's value restricted to memory events, which holds of every pointwise operation
and of `;`, `+`, `domain`, `range` when the events they go through are memory events.
What is neither is refused where a check or flag needs it.

`with co from generate_cos(X)` (or `generate_orders(W, X)`) is the explorer's own
enumeration of coherence orders: every total order of each location's writes with the
initial write first, kept when it contains X. herd's are the linear extensions of X,
location by location; they are the same set when X orders the initial write before the
other writes of its location, which is required here (herd's `co0` does).
"""

from __future__ import annotations

import functools
import os
import pickle
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LitmusError
from ..semantics import annotations as A
from . import program as P

if TYPE_CHECKING:  # lark is imported where the model is parsed
    from lark import Tree

EXACT, DIAG = 2, 1

# herd's names for the sets of AArch64 events, from pylitmus's thread-stage sets.
RENAMED_SETS = {"NExp": "Imp"}
BARRIER_SETS = ("dmb.full", "dmb.ld", "dmb.st", "dsb.full", "dsb.ld", "dsb.st", "ISB")
# Sets of events of the execution stage (memory accesses, cache operations).
MEMORY_SETS = frozenset({"R", "W", "M", "Imp", "DC.CVAU", "IC.IVAU", "IC.IALLU", "IC.IALLUIS"})
# The annotations a model names directly (herd's barrier annotations, DMB.SY, DSB.ISH...,
# among them: its aarch64fences.cat builds dmb.full and the others from them). PRED and
# the DC clean operations are pylitmus's own names, not herd's.
SET_NAMES = frozenset(P.EVENT_SETS) - {
    "Imp", "dmb.full", "dmb.ld", "dmb.st", "dsb.full", "dsb.ld", "dsb.st", "PRED",
    "DC.CIVAC", "DC.CVAC", "DC.IVAC"} - A.VMSA_AND_EXCEPTIONS
# Sets herd7 gives AArch64 events that are empty in a cat model's scope (no virtual
# memory, memory tagging, exceptions or TLB maintenance).
EMPTY_SETS = frozenset({"T", "EXC-RET", "TagCheck", "TLBInXS", "HU", "PTE", "PTEINV",
                        "PTEAF0"}) | A.VMSA_AND_EXCEPTIONS
THREAD_RELATIONS = ("po", "iico_data", "iico_ctrl", "iico_order", "same-instance")
# Names herd gives that pylitmus cannot compute (yet): an error where a check needs them.
UNAVAILABLE = ("addr", "data", "ctrl", "tst", "depend", "success", "rf-reg", "control",
               "partial_po", "same-low-order-bits", "aligned", "same-instr",
               "same-static", "equiv-spec", "pco", "SPEC", "EXEC", "SPURIOUS", "PRED",
               "same-oa", "at-least-one-writable", "different-values", "PTEtoPA")


class CatError(LitmusError):
    """A model that cannot be read or run."""


@dataclass(eq=False)
class Sym:
    """A set or relation: how to compute it, and what is known of it.

    `recipe` is ("input", name) or (op code, operands); `thread` the thread-stage slot
    when it is computed there (with its `tier`); `dom_mem` / `ran_mem`: under herd, the
    relation's pairs start / end at memory events (for a set: its events are memory
    events, that is, events of the execution stage). `in_co`: contained in every
    coherence order pylitmus enumerates; `iw_first`: contains loc & (IW * (W \\ IW))."""

    kind: str
    recipe: tuple
    pos: tuple
    dom_mem: bool
    ran_mem: bool
    dynamic: bool = False
    thread: int | None = None
    tier: int = 0
    poly: str = ""  # "zero" (0, {}) or "universe" (_): a set or a relation, as used
    is_po: bool = False
    iw: bool = True  # may contain initial writes
    terms: tuple = ()
    in_co: bool = False
    iw_first: bool = False
    last_write: bool = False
    empty: bool = False  # known to be empty whatever the execution
    exec_slot: int | None = field(default=None, repr=False)


def _is_input(value: Sym, name: str) -> bool:
    return value.recipe == ("input", name)


def _is_op(value: Sym, code: int) -> bool:
    return value.recipe[0] == code


def _in_co_per_loc(value: Sym) -> bool:
    """Within one location, is every part of the value in every coherence order?"""
    return all(t.iw_first or t.last_write or t.in_co for t in (value.terms or (value,)))


@dataclass(eq=False)
class Closure:
    params: tuple[str, ...] | str  # a name; a tuple of names for a tuple argument
    body: object
    env: dict
    name: str = "fun"


@dataclass(eq=False)
class Builtin:
    name: str


@dataclass(eq=False)
class Unavailable:
    """A name herd gives that pylitmus does not compute."""

    message: str
    pos: tuple


@dataclass(eq=False)
class Enumeration:
    """herd's `enumerate-ordered-pairs(pairs, rel)` (enumerations.cat): every orientation
    of the pairs that `rel` does not already orient; the explorer's `choose`."""

    pairs: Sym
    fixed: Sym


@dataclass(eq=False)
class Procedure:
    params: tuple
    body: list
    env: dict


class _Unbound(Exception):
    def __init__(self, name: str, pos: tuple):
        self.name, self.pos = name, pos


def _where(tree) -> tuple[int, int]:
    meta = getattr(tree, "meta", None)
    if meta is None or getattr(meta, "empty", True):
        return (getattr(tree, "line", 0) or 0, getattr(tree, "column", 0) or 0)
    return (meta.line, meta.column)


@functools.lru_cache(maxsize=None)
def _parser():
    from lark import Lark

    from ..frontend.grammar import grammar_text

    return Lark(grammar_text("cat"), parser="earley", lexer="basic",
                propagate_positions=True, ambiguity="resolve")


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        message = f"cannot read the model: {getattr(error, 'strerror', error)}"
        raise CatError(message, path) from None


@functools.lru_cache(maxsize=64)
def _parse(path: str, text: str):
    from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

    try:
        return _parser().parse(text)
    except UnexpectedEOF:
        lines = text.splitlines() or [""]
        raise CatError("unexpected end of the model", path, len(lines),
                       len(lines[-1]) + 1) from None
    except UnexpectedCharacters as error:
        # lark declares pos_in_stream None on its base class; the lexer sets its position
        at: int | None = error.pos_in_stream
        assert at is not None, "the lexer gives the position of the character"
        raise CatError(f"unexpected character {text[at]!r}", path,
                       error.line, error.column) from None
    except UnexpectedInput as error:
        token = getattr(error, "token", None)
        shown = f"unexpected {str(token)!r}" if token else "syntax error"
        raise CatError(shown, path, getattr(error, "line", 0),
                       getattr(error, "column", 0)) from None


class _Compiler:
    def __init__(self, libdir: str | None, variant_flags: frozenset[str]):
        self.libdir = libdir
        self.variant_flags = variant_flags
        self.flags_used: set[str] = set()
        self.thread = P.Stage("thread")
        self.execution = P.Stage("execution")
        self.imports: dict[str, str] = {}
        self.file = ""
        self.catdep = False
        self.co: Sym | None = None
        self.thread_inputs: dict[str, int] = {}
        self.exec_inputs: dict[str, int] = {}
        self.including: list[str] = []
        # the files read, with their text, and those looked for and not found (None)
        self.sources: dict[str, str | None] = {}
        self.acyclic: list[Sym] = []  # the relations of the acyclicity checks

    # -- errors -----------------------------------------------------------------
    def error(self, pos, message: str) -> CatError:
        file, line, col = pos if len(pos) == 3 else (self.file, *pos)
        return CatError(message, file, line, col)

    def pos(self, tree) -> tuple:
        return (self.file, *_where(tree))

    # -- thread stage -------------------------------------------------------------
    def emit(self, stage: P.Stage, code: int, kind: str, a: int = -1, b: int = -1,
             name: str = "", dynamic: bool = False) -> int:
        dest = stage.new_slot(kind, dynamic)
        stage.ops.append(P.Op(code, dest, a, b, name))
        return dest

    def thread_input(self, name: str, kind: str) -> int:
        slot = self.thread_inputs.get(name)
        if slot is None:
            slot = self.thread_inputs[name] = self.emit(self.thread, P.INPUT, kind, name=name)
            self.thread.names.setdefault(name, slot)
        return slot

    @functools.cached_property
    def thread_events(self) -> int:
        """The thread's events herd sees: all, or without register events unless the
        model says `catdep`."""
        everything = self.emit(self.thread, P.COMPLEMENT, P.SET,
                               self.emit(self.thread, P.DOMAIN, P.SET,
                                         self.emit(self.thread, P.EMPTY, P.REL)))
        if self.catdep:
            return everything
        registers = self.emit(self.thread, P.UNION, P.SET, self.thread_input("Rreg", P.SET),
                              self.thread_input("Wreg", P.SET))
        return self.emit(self.thread, P.DIFF, P.SET, everything, registers)

    def thread_relation(self, name: str) -> int:
        """A base relation of the thread stage: po over the events herd sees; herd7
        takes the intra-instruction relations over all events, register events
        included, whether the model says `catdep` or not."""
        if name != "po":
            return self.thread_input(name, P.REL)
        events = self.emit(self.thread, P.IDENTITY, P.REL, self.thread_events)
        rel = self.emit(self.thread, P.SEQ, P.REL, events, self.thread_input(name, P.REL))
        return self.emit(self.thread, P.SEQ, P.REL, rel, events)

    # -- base names -------------------------------------------------------------
    def base(self, name: str, pos: tuple):
        """herd's initial environment for AArch64 events, or None."""
        mk = functools.partial(self.input_sym, pos=pos)
        if name in ("Rreg", "Wreg"):
            if not self.catdep:  # herd leaves register events out
                return self.polymorphic("zero", P.SET, pos)
            return mk(name, P.SET, False)
        if name == "Exp":  # herd7's Exp and NExp are sets of memory accesses
            return self.combine(P.INTER, mk("Exp", P.SET, False), mk("M", P.SET, True), pos)
        if name in SET_NAMES or name in RENAMED_SETS:
            ours = RENAMED_SETS.get(name, name)
            return mk(ours, P.SET, ours in MEMORY_SETS)
        if name in EMPTY_SETS:
            return self.polymorphic("zero", P.SET, pos)
        if name == "IW":
            return Sym(P.SET, ("input", "IW"), pos, True, True,
                       thread=self.empty_thread_set(), tier=EXACT)
        if name == "F":
            out = None
            for barrier in BARRIER_SETS:
                part = mk(barrier, P.SET, False)
                out = part if out is None else self.combine(P.UNION, out, part, pos)
            return out
        if name in THREAD_RELATIONS:
            return Sym(P.REL, ("import",), pos, False, False, thread=self.thread_relation(name),
                       tier=EXACT, is_po=name == "po", iw=False)
        if name in ("sm", "si"):  # single-copy atomic classes, and id on memory accesses
            memory = self.emit(self.thread, P.IDENTITY, P.REL, self.thread_input("M", P.SET))
            sca = self.emit(self.thread, P.SEQ, P.REL, memory, self.thread_input("sca", P.REL))
            slot = self.emit(self.thread, P.SEQ, P.REL, sca, memory)
            threads = Sym(P.REL, ("import",), pos, True, True, thread=slot, tier=EXACT,
                          iw=False)
            initial = self.combine(P.IDENTITY, self.base("IW", pos), None, pos)
            return self.combine(P.UNION, threads, initial, pos)
        if name == "id":
            slot = self.emit(self.thread, P.IDENTITY, P.REL, self.thread_events)
            return Sym(P.REL, ("input", "id"), pos, False, False, thread=slot, tier=DIAG)
        if name == "loc":
            slot = self.thread_input("same-loc", P.REL)
            if self.catdep:  # a register event's location is its register
                slot = self.emit(self.thread, P.UNION, P.REL, slot,
                                 self.thread_input("same-reg", P.REL))
            return Sym(P.REL, ("input", "loc"), pos, True, True, thread=slot, tier=DIAG)
        if name in ("int", "ext"):  # initial writes belong to no thread
            empty = self.emit(self.thread, P.EMPTY, P.REL)
            slot = self.emit(self.thread, P.COMPLEMENT, P.REL, empty) if name == "int" else empty
            rel = Sym(P.REL, ("input", name), pos, False, False, thread=slot, tier=DIAG)
            initial = self.base("IW", pos)
            return self.combine(P.DIFF, rel, self.combine(P.CROSS, initial, initial, pos), pos)
        if name == "rf":
            return Sym(P.REL, ("input", "rf"), pos, True, True, dynamic=True)
        if name == "FW":
            return self.final_writes
        if name in ("domain", "range", "classes-loc", "linearisations", "tag2events"):
            return Builtin(name)
        if name in UNAVAILABLE:
            return Unavailable(f"pylitmus does not compute herd's {name!r}", pos)
        return None

    def input_sym(self, name: str, kind: str, mem: bool, pos: tuple) -> Sym:
        """A base set, over the thread events herd sees."""
        slot = self.emit(self.thread, P.INTER, P.SET, self.thread_input(name, kind),
                         self.thread_events)
        return Sym(kind, ("input", name), pos, mem, mem, thread=slot, tier=EXACT,
                   iw=name in ("W", "M", "Exp"))

    @functools.cached_property
    def co_input(self) -> Sym:
        return Sym(P.REL, ("input", "co"), ("", 0, 0), True, True, dynamic=True)

    @functools.cached_property
    def final_writes(self) -> Sym:
        """herd's FW: each location's coherence-last write."""
        pos = ("", 0, 0)
        writes = self.input_sym("W", P.SET, True, pos)
        return self.combine(P.DIFF, writes, self.combine(P.DOMAIN, self.co_input, None, pos),
                            pos)

    def empty_thread_set(self) -> int:
        return self.emit(self.thread, P.DOMAIN, P.SET, self.emit(self.thread, P.EMPTY, P.REL))

    # -- combining values ---------------------------------------------------------
    def polymorphic(self, poly: str, kind: str, pos: tuple) -> Sym:
        """0 / {} (empty) or _ (everything), as a set or as a relation."""
        if kind == P.SET:
            empty = Sym(P.SET, ("empty_set",), pos, True, True, thread=self.empty_thread_set(),
                        tier=EXACT, iw=False)
        else:
            empty = Sym(P.REL, ("empty_rel",), pos, True, True,
                        thread=self.emit(self.thread, P.EMPTY, P.REL), tier=EXACT,
                        in_co=True, iw=False)
        empty.empty = True
        out = empty if poly == "zero" else self.combine(P.COMPLEMENT, empty, None, pos)
        out.poly = poly
        return out

    def combine(self, code: int, a: Sym, b: Sym | None, pos: tuple) -> Sym:
        """A new value from the values of its operands (checked, not yet computed in
        the execution stage)."""
        want = {P.SEQ: (P.REL, P.REL), P.CROSS: (P.SET, P.SET), P.INVERSE: (P.REL,),
                P.PLUS: (P.REL,), P.OPT: (P.REL,), P.IDENTITY: (P.SET,),
                P.DOMAIN: (P.REL,), P.RANGE: (P.REL,)}.get(code)
        if want is None and b is not None and a.kind != b.kind:
            want = (b.kind, b.kind) if a.poly else (a.kind, a.kind)
        if want is not None:
            fixed = []
            for operand, kind in zip((a, b), want):
                assert operand is not None, "two kinds are wanted of binary operators only"
                if operand.kind != kind:
                    if not operand.poly:
                        raise self.error(pos, f"{P.OP_NAMES[code]} expects "
                                              f"{'sets' if kind == P.SET else 'relations'}")
                    operand = self.polymorphic(operand.poly, kind, operand.pos)
                fixed.append(operand)
            a, b = fixed[0], fixed[1] if len(fixed) > 1 else None
        kind = {P.CROSS: P.REL, P.IDENTITY: P.REL, P.DOMAIN: P.SET, P.RANGE: P.SET}.get(
            code, a.kind)
        if self.known_empty(code, a, b):
            return self.polymorphic("zero", kind, pos)
        dom, ran = self.bounds(code, a, b)
        dynamic = a.dynamic or (b is not None and b.dynamic)
        out = Sym(kind, (code, a, b), pos, dom, ran, dynamic=dynamic, iw=self.has_iw(code, a, b))
        if code == P.UNION:
            assert b is not None, "a binary operator has its second operand"
            out.terms = (a.terms or (a,)) + (b.terms or (b,))
            out.in_co = a.in_co and b.in_co
            out.iw_first = a.iw_first or b.iw_first
        elif code == P.INTER:
            assert b is not None, "a binary operator has its second operand"
            out.in_co = a.in_co or b.in_co or (_is_input(a, "loc") and _in_co_per_loc(b)) \
                or (_is_input(b, "loc") and _in_co_per_loc(a))
            out.iw_first = (_is_input(a, "loc") and b.iw_first) \
                or (_is_input(b, "loc") and a.iw_first)
        elif code == P.CROSS:
            assert b is not None, "a binary operator has its second operand"
            # IW * (W \ IW): the initial write first; (W \ FW) * FW: the final write last.
            w_minus = _is_op(b, P.DIFF) and _is_input(b.recipe[1], "W")
            out.iw_first = _is_input(a, "IW") and w_minus and _is_input(b.recipe[2], "IW")
            out.last_write = b is self.final_writes and _is_op(a, P.DIFF) \
                and _is_input(a.recipe[1], "W") and a.recipe[2] is self.final_writes
        if not dynamic and a.thread is not None and (b is None or b.thread is not None):
            tier = self.tier(code, a, b)
            if tier:
                out.thread, out.tier = self.thread_op(code, kind, a, b), tier
        return out

    @staticmethod
    def known_empty(code: int, a: Sym, b: Sym | None) -> bool:
        if code in (P.INTER, P.SEQ, P.CROSS):
            assert b is not None, "a binary operator has its second operand"
            return a.empty or b.empty
        if code == P.UNION:
            assert b is not None, "a binary operator has its second operand"
            return a.empty and b.empty
        if code in (P.DIFF, P.INVERSE, P.PLUS, P.IDENTITY, P.DOMAIN, P.RANGE):
            return a.empty
        return False

    @staticmethod
    def has_iw(code: int, a: Sym, b: Sym | None) -> bool:
        """May the value contain (or relate) an initial write?"""
        if code in (P.COMPLEMENT, P.OPT, P.CROSS):
            return True
        if code in (P.INTER, P.SEQ):
            assert b is not None, "a binary operator has its second operand"
            return a.iw and b.iw
        if code == P.UNION:
            assert b is not None, "a binary operator has its second operand"
            return a.iw or b.iw
        return a.iw

    @staticmethod
    def bounds(code: int, a: Sym, b: Sym | None) -> tuple[bool, bool]:
        """(pairs start at memory events, pairs end at memory events) of the result."""
        if code == P.UNION:
            assert b is not None, "a binary operator has its second operand"
            return a.dom_mem and b.dom_mem, a.ran_mem and b.ran_mem
        if code == P.INTER:
            assert b is not None, "a binary operator has its second operand"
            return a.dom_mem or b.dom_mem, a.ran_mem or b.ran_mem
        if code in (P.DIFF, P.PLUS):
            return a.dom_mem, a.ran_mem
        if code == P.SEQ:
            assert b is not None, "a binary operator has its second operand"
            return a.dom_mem, b.ran_mem
        if code == P.INVERSE:
            return a.ran_mem, a.dom_mem
        if code == P.CROSS:
            assert b is not None, "a binary operator has its second operand"
            return a.dom_mem, b.dom_mem
        if code in (P.IDENTITY, P.DOMAIN):
            return a.dom_mem, a.dom_mem
        if code == P.RANGE:
            return a.ran_mem, a.ran_mem
        return False, False  # complement, r?

    @staticmethod
    def tier(code: int, a: Sym, b: Sym | None) -> int:
        """How exactly the thread stage computes the result (0: it cannot)."""
        if a.kind == P.SET and code in (P.UNION, P.INTER, P.DIFF, P.COMPLEMENT, P.IDENTITY):
            return EXACT
        if code == P.UNION:
            assert b is not None, "a binary operator has its second operand"
            return min(a.tier, b.tier)
        if code == P.INTER:
            assert b is not None, "a binary operator has its second operand"
            return max(a.tier, b.tier)
        if code == P.DIFF:
            return a.tier
        if code == P.SEQ:
            assert b is not None, "a binary operator has its second operand"
            return {(EXACT, EXACT): EXACT, (EXACT, DIAG): DIAG,
                    (DIAG, EXACT): DIAG}.get((a.tier, b.tier), 0)
        if code in (P.INVERSE, P.OPT):
            return a.tier
        if code in (P.PLUS, P.DOMAIN, P.RANGE):
            return EXACT if a.tier == EXACT else 0
        if code in (P.CROSS, P.COMPLEMENT):
            return DIAG
        return 0

    def thread_op(self, code: int, kind: str, a: Sym, b: Sym | None) -> int:
        """The result's slot in the thread stage, over the events herd sees."""
        th = self.thread
        assert a.thread is not None, "combine() asks only when the operands have thread slots"
        if code == P.COMPLEMENT:
            if kind == P.SET:
                return self.emit(th, P.DIFF, P.SET, self.thread_events, a.thread)
            events = self.thread_events
            every = self.emit(th, P.CROSS, P.REL, events, events)
            return self.emit(th, P.DIFF, P.REL, every, a.thread)
        if code == P.OPT:
            events = self.emit(th, P.IDENTITY, P.REL, self.thread_events)
            return self.emit(th, P.UNION, P.REL, a.thread, events)
        second = -1 if b is None else b.thread
        assert second is not None, "combine() asks only when the operands have thread slots"
        return self.emit(th, code, kind, a.thread, second)

    # -- the execution stage --------------------------------------------------------
    def exec_slot(self, value: Sym) -> int:
        """The value's slot in the execution stage (computed on first use), where it
        is herd's value restricted to memory events; or an error saying why not."""
        if value.exec_slot is not None:
            return value.exec_slot
        ex = self.execution
        recipe = value.recipe
        slot: int | None  # None only while an input is looked up
        if value.thread is not None and value.tier == EXACT and recipe[0] != "input" \
                and not value.iw:
            # the union of the threads' values (nothing of the initial writes)
            name = f"cat.{value.thread}"
            self.thread.names[name] = value.thread
            self.imports[name] = value.kind
            slot = self.emit(ex, P.INPUT, value.kind, name=name)
        elif recipe[0] == "input":
            name = recipe[1]
            if name in P.EXECUTION_SETS or name in P.EXECUTION_RELS or name in ("rf", "co"):
                slot = self.exec_inputs.get(name)
                if slot is None:
                    kind = P.SET if name in P.EXECUTION_SETS else P.REL
                    slot = self.exec_inputs[name] = self.emit(
                        ex, P.INPUT, kind, name=name, dynamic=name in P.DYNAMIC_INPUTS)
            else:
                self.imports[name] = value.kind
                self.thread_input(name, value.kind)
                slot = self.exec_inputs.get(name)
                if slot is None:
                    slot = self.exec_inputs[name] = self.emit(ex, P.INPUT, value.kind, name=name)
        elif recipe[0] == "empty_rel":
            slot = self.emit(ex, P.EMPTY, P.REL)
        elif recipe[0] == "empty_set":
            slot = self.emit(ex, P.DOMAIN, P.SET, self.emit(ex, P.EMPTY, P.REL))
        elif recipe[0] == "import":
            raise self.error(value.pos, "pylitmus cannot compute this value here")
        else:
            code, a, b = recipe
            self.require_exact(code, a, value.pos)
            if code == P.SEQ and not (a.ran_mem or b.dom_mem):
                raise self.error(value.pos, "pylitmus cannot compute this sequence over "
                                            "other events than memory events")
            x = self.exec_slot(a)
            y = -1 if b is None else self.exec_slot(b)
            slot = self.emit(ex, code, value.kind, x, y, dynamic=value.dynamic)
        value.exec_slot = slot
        return slot

    def require_exact(self, code: int, a: Sym, pos: tuple) -> None:
        what = {P.PLUS: ("closure", a.dom_mem or a.ran_mem), P.DOMAIN: ("domain", a.ran_mem),
                P.RANGE: ("range", a.dom_mem)}.get(code)
        if what is not None and not what[1]:
            raise self.error(pos, f"pylitmus cannot compute this {what[0]} over other "
                                  "events than memory events")

    def check(self, kind: str, negated: bool, value, name: str, pos: tuple,
              is_flag: bool) -> None:
        value = self.relation_or_set(value, pos)
        if kind in ("acyclic", "irreflexive") and value.kind != P.REL:
            raise self.error(pos, f"{kind} expects a relation")
        if negated and kind != "empty":
            raise self.error(pos, f"pylitmus cannot run ~{kind}")
        check_kind = "nonempty" if negated else kind
        if is_flag and check_kind == "nonempty" and value.thread is not None \
                and value.tier == EXACT and not value.iw:
            # herd's value is the union of the threads' values: nonempty when one is
            self.thread.flags.append(P.Check(check_kind, value.thread, name, True))
            return
        if kind == "empty":
            exact = value.dom_mem and value.ran_mem
        else:  # a reflexive pair or a cycle is over events where pairs start and end
            exact = value.dom_mem or value.ran_mem or self.po_union(value)
        if not exact:
            raise self.error(pos, f"pylitmus cannot run this {kind} check: its relation "
                                  "may relate other events than memory events")
        slot = self.exec_slot(value)
        if kind == "acyclic" and not is_flag:
            self.acyclic.append(value)
        stage = self.execution
        item = P.Check(check_kind, slot, name, P.monotone(stage, slot))
        (stage.flags if is_flag else stage.checks).append(item)

    def name_for_witnesses(self) -> None:
        """The relations `--explain` and `--graph` draw: rf, co, fr, po, and as `ob` the
        union of the relations the model's acyclicity checks keep acyclic."""
        pos = (self.file, 0, 0)
        rf = self.base("rf", pos)
        fr = self.combine(P.DIFF, self.combine(P.SEQ, self.combine(P.INVERSE, rf, None, pos),
                                               self.co_input, pos), self.base("id", pos), pos)
        ob = self.polymorphic("zero", P.REL, pos)
        for value in self.acyclic:
            ob = self.combine(P.UNION, ob, value, pos)
        for name, value in (("rf", rf), ("co", self.co_input), ("fr", fr),
                            ("po", self.base("po", pos)), ("ob", ob)):
            self.execution.names[name] = self.exec_slot(value)

    def po_union(self, value: Sym) -> bool:
        """A union of herd's po and relations over memory events: its cycles through
        other events shorten to cycles over memory events (po is transitive)."""
        terms = value.terms or (value,)
        return all(t.is_po or (t.dom_mem and t.ran_mem) for t in terms)

    def operand(self, value, pos: tuple) -> Sym:
        if not isinstance(value, Sym):
            raise self.error(pos, "expected a set or a relation")
        return value

    def relation_or_set(self, value, pos: tuple) -> Sym:
        if isinstance(value, Unavailable):
            raise self.error(value.pos, value.message)
        if not isinstance(value, Sym):
            raise self.error(pos, "expected a set or a relation")
        return value

    # -- expressions ----------------------------------------------------------------
    def lookup(self, name: str, env: dict, pos: tuple):
        if name in env:
            return env[name]
        found = self.base(name, pos)
        if found is None:
            raise _Unbound(name, pos)
        return found

    def expr(self, tree, env: dict):
        data = tree.data
        kids = tree.children
        pos = self.pos(tree)
        if data == "name":
            return self.lookup(str(kids[0]), env, pos)
        if data == "empty_rel":
            return self.polymorphic("zero", P.REL, pos)
        if data == "empty_set":
            return self.polymorphic("zero", P.SET, pos)
        if data == "universe":
            return self.polymorphic("universe", P.SET, pos)
        if data == "string":
            return str(kids[0])[1:-1]
        if data == "tuple":
            return tuple(self.expr(k, env) for k in self.flat_args(kids))
        if data in ("union", "seq", "diff", "inter", "cross"):
            code = {"union": P.UNION, "seq": P.SEQ, "diff": P.DIFF, "inter": P.INTER,
                    "cross": P.CROSS}[data]
            a, b = self.expr(kids[0], env), self.expr(kids[1], env)
            if isinstance(a, Unavailable) or isinstance(b, Unavailable):
                return self.absorbed(code, a, b, pos)
            return self.combine(code, self.operand(a, pos), self.operand(b, pos), pos)
        if data in ("complement", "plus", "opt", "inverse", "identity"):
            code = {"complement": P.COMPLEMENT, "plus": P.PLUS, "opt": P.OPT,
                    "inverse": P.INVERSE, "identity": P.IDENTITY}[data]
            a = self.expr(kids[0], env)
            if isinstance(a, Unavailable):
                return a
            return self.combine(code, self.operand(a, pos), None, pos)
        if data == "star":
            a = self.expr(kids[0], env)
            if isinstance(a, Unavailable):
                return a
            a = self.operand(a, pos)
            return self.combine(P.OPT, self.combine(P.PLUS, a, None, pos), None, pos)
        if data == "cond_expr":
            return self.expr(kids[1] if self.condition(kids[0]) else kids[2], env)
        if data == "try_expr":
            try:
                return self.expr(kids[0], env)
            except _Unbound:
                return self.expr(kids[1], env)
        if data == "fun":
            first = kids[0]
            params = tuple(self.params(first)) if getattr(first, "data", None) == "params" \
                else str(first)
            return Closure(params, kids[-1], env)
        if data in ("let_in", "let_rec_in"):
            inner = dict(env)
            self.bind(kids[:-1], inner, data == "let_rec_in")
            return self.expr(kids[-1], inner)
        if data == "apply":
            return self.apply(self.expr(kids[0], env), kids[1], env, pos)
        raise self.error(pos, f"pylitmus cannot run {self.describe(data)} in a model yet")

    def absorbed(self, code: int, a, b, pos: tuple):
        """An operation on a value pylitmus does not compute: empty when the other
        operand is known to be empty and makes the result empty, else unavailable."""
        known = b if isinstance(a, Unavailable) else a
        if isinstance(known, Sym) and known.empty and (
                code in (P.INTER, P.SEQ, P.CROSS) or (code == P.DIFF and known is a)):
            kind = P.REL if code in (P.SEQ, P.CROSS) else known.kind
            return self.polymorphic("zero", kind, pos)
        return a if isinstance(a, Unavailable) else b

    @staticmethod
    def describe(data: str) -> str:
        return {"match_expr": "match", "add_element": "++", "set_literal": "{...}"}.get(data, data)

    @staticmethod
    def flat_args(kids) -> list:
        out = []
        for kid in kids:
            if getattr(kid, "data", None) == "args":
                out.extend(kid.children)
            else:
                out.append(kid)
        return out

    @staticmethod
    def params(tree) -> list[str]:
        return [str(t) for t in tree.children]

    def apply(self, function, argument_tree, env: dict, pos: tuple):
        argument = self.expr(argument_tree, env)
        if isinstance(function, Unavailable):
            return function
        if isinstance(function, Builtin):
            if isinstance(argument, Unavailable):
                return argument
            if function.name in ("domain", "range"):
                code = P.DOMAIN if function.name == "domain" else P.RANGE
                return self.combine(code, self.relation_or_set(argument, pos), None, pos)
            raise self.error(pos, f"pylitmus cannot run herd's {function.name} yet")
        if not isinstance(function, Closure):
            raise self.error(pos, "applying something that is not a function")
        if function.name == "enumerate-ordered-pairs" and isinstance(argument, tuple) \
                and len(argument) == 2 and all(isinstance(v, Sym) for v in argument):
            pairs, fixed = (self.operand(v, pos) for v in argument)
            if pairs.dynamic or fixed.dynamic:
                raise self.error(pos, "pylitmus cannot enumerate pairs that depend on rf or co")
            return Enumeration(pairs, fixed)
        inner = dict(function.env)
        if isinstance(function.params, tuple):
            values = argument if isinstance(argument, tuple) else (argument,)
            if len(values) != len(function.params):
                raise self.error(pos, f"{function.name} takes {len(function.params)} "
                                      f"arguments, given {len(values)}")
            inner.update(zip(function.params, values))
        else:
            inner[function.params] = argument
        return self.expr(function.body, inner)

    def condition(self, tree) -> bool:
        data = tree.data
        if data == "cond_variant":
            name = str(tree.children[0])[1:-1]
            self.flags_used.add(name)
            return name in self.variant_flags or name.lower() in self.variant_flags
        if data == "cond_not":
            return not self.condition(tree.children[0])
        if data == "cond_and":
            return self.condition(tree.children[0]) and self.condition(tree.children[1])
        return self.condition(tree.children[0]) or self.condition(tree.children[1])

    # -- bindings -----------------------------------------------------------------
    def bind(self, bindings, env: dict, recursive: bool) -> None:
        if recursive:
            functions = [b for b in bindings if b.data == "bind_function"]
            for binding in functions:
                env[str(binding.children[0])] = self.closure(binding, env)
            for binding in bindings:
                if binding.data == "bind_name":
                    env[str(binding.children[0])] = self.fixpoint(binding, env)
                elif binding.data == "bind_tuple":
                    raise self.error(self.pos(binding), "pylitmus cannot run let rec of a "
                                                        "tuple")
            return
        values = []
        for binding in bindings:
            if binding.data == "bind_function":
                values.append((str(binding.children[0]), self.closure(binding, env)))
            elif binding.data == "bind_name":
                values.append((str(binding.children[0]), self.expr(binding.children[1], env)))
            else:
                names = self.params(binding.children[0])
                value = self.expr(binding.children[1], env)
                if not isinstance(value, tuple) or len(value) != len(names):
                    raise self.error(self.pos(binding), "a tuple of the wrong size")
                values.extend(zip(names, value))
        env.update(values)

    def closure(self, binding, env: dict) -> Closure:
        kids = binding.children
        name = str(kids[0])
        params: tuple[str, ...] | str
        if isinstance(kids[1], str) and len(kids) == 3:  # let f x = e
            params = str(kids[1])
        else:
            params = tuple(self.params(kids[1])) if len(kids) == 3 else ()
        return Closure(params, kids[-1], env, name)

    def fixpoint(self, binding, env: dict) -> Sym:
        """`let rec r = A | B | r; r`: the least fixpoint, (A | B)+. Other recursive
        definitions of a relation are refused."""
        name = str(binding.children[0])
        body = binding.children[1]
        terms = []

        def flatten(tree):
            if getattr(tree, "data", None) == "union":
                flatten(tree.children[0])
                flatten(tree.children[1])
            else:
                terms.append(tree)

        flatten(body)

        def is_self(tree) -> bool:
            return getattr(tree, "data", None) == "name" and str(tree.children[0]) == name

        def mentions(tree) -> bool:
            return any(getattr(t, "data", None) == "name" and str(t.children[0]) == name
                       for t in tree.iter_subtrees()) if hasattr(tree, "iter_subtrees") \
                else False

        closing = [t for t in terms if t.data == "seq" and all(map(is_self, t.children))]
        others = [t for t in terms if t not in closing]
        pos = self.pos(binding)
        if any(mentions(t) for t in others):
            raise self.error(pos, f"pylitmus cannot run this recursive definition of {name}: "
                                  f"only `let rec {name} = ... | {name}; {name}`")
        value = None
        for term in others:
            part = self.relation_or_set(self.expr(term, env), pos)
            value = part if value is None else self.combine(P.UNION, value, part, pos)
        if value is None:
            return self.polymorphic("zero", P.REL, pos)
        return self.combine(P.PLUS, value, None, pos) if closing else value

    # -- instructions ---------------------------------------------------------------
    def run_file(self, path: Path, env: dict) -> None:
        previous = self.file
        self.file = str(path)
        if str(path.resolve()) in self.including:
            raise self.error((0, 0), f"{path.name} includes itself")
        self.including.append(str(path.resolve()))
        text = self.sources[str(path)] = _read(str(path))
        tree = _parse(str(path), text)
        try:
            for instruction in tree.children:
                if getattr(instruction, "data", None) == "title":
                    continue
                self.instruction(instruction, env, path.parent)
        finally:
            self.including.pop()
            self.file = previous

    def find(self, name: str, folder: Path, pos: tuple) -> Path:
        for directory in (folder, *((Path(self.libdir),) if self.libdir else ())):
            candidate = directory / name
            if candidate.is_file():
                return candidate
            self.sources[str(candidate)] = None
        raise self.error(pos, f"cannot find {name} (searched {folder}"
                              + (f" and {self.libdir})" if self.libdir else "; give --libdir)"))

    def instruction(self, tree, env: dict, folder: Path) -> None:
        data = tree.data
        kids = tree.children
        pos = self.pos(tree)
        try:
            self._instruction(data, kids, env, folder, pos)
        except _Unbound as unbound:
            raise self.error(unbound.pos, f"unbound name {unbound.name}") from None

    def _instruction(self, data, kids, env, folder, pos) -> None:
        if data in ("let", "let_rec"):
            self.bind(kids, env, data == "let_rec")
        elif data == "include":
            self.run_file(self.find(str(kids[0])[1:-1], folder, pos), env)
        elif data == "catdep":
            self.catdep = True
        elif data == "show":
            pass  # pictures only
        elif data == "test":
            flag = kids[0] if kids and getattr(kids[0], "type", None) == "FLAG" else None
            rest = kids[1:] if flag is not None else kids
            test = str(rest[0])
            negated = test.startswith("~")
            kind = test.lstrip("~")
            value = self.expr(rest[1], env)
            if flag is not None and str(flag) == "assert":
                if not (isinstance(value, Sym) and value.empty and kind == "empty"
                        and not negated):
                    raise self.error(pos, "pylitmus runs assert only when it holds of every "
                                          "execution (an empty set or relation)")
                return
            name = str(rest[2]) if len(rest) > 2 else kind
            self.check(kind, negated, value, name, pos, flag is not None)
        elif data == "with_from":
            self.with_from(str(kids[0]), kids[1], env, pos)
        elif data == "procedure":
            params = tuple(self.params(kids[1])) if len(kids) > 1 and \
                getattr(kids[1], "data", None) == "params" else ()
            body = [k for k in kids[1:] if getattr(k, "data", None) != "params"]
            env[str(kids[0])] = Procedure(params, body, env)
        elif data == "call":
            self.call(kids, env, folder, pos)
        elif data == "if_instruction":
            wanted = "then_part" if self.condition(kids[0]) else "else_part"
            for part in kids[1:]:
                if part.data == wanted:
                    for instruction in part.children:
                        self.instruction(instruction, env, folder)
        else:
            raise self.error(pos, f"pylitmus cannot run {data} yet")

    def call(self, kids, env: dict, folder: Path, pos: tuple) -> None:
        procedure = env.get(str(kids[0]))
        if not isinstance(procedure, Procedure):
            raise self.error(pos, f"{kids[0]} is not a procedure")
        args = [self.expr(a, env) for a in self.flat_args(
            [k for k in kids[1:] if getattr(k, "data", None) == "args"])]
        if len(args) != len(procedure.params):
            raise self.error(pos, f"{kids[0]} takes {len(procedure.params)} arguments")
        inner = dict(procedure.env)
        inner.update(zip(procedure.params, args))
        for instruction in procedure.body:
            self.instruction(instruction, inner, folder)

    def enumeration(self, name: str, value, env: dict, pos: tuple) -> None:
        """`with NAME from enumerate-ordered-pairs(...)`: the explorer's `choose`."""
        if not isinstance(value, Enumeration):
            raise self.error(pos, "pylitmus runs `with x from` only over herd's "
                                  "enumerate-ordered-pairs (and co over generate_cos)")
        pairs, fixed = self.exec_slot(value.pairs), self.exec_slot(value.fixed)
        ex = self.execution
        slot = self.emit(ex, P.INPUT, P.REL, name=name)
        ex.choices.append(P.Choice(name, pairs, fixed, slot))
        mem = value.pairs.dom_mem and value.pairs.ran_mem
        env[name] = Sym(P.REL, ("chosen", name), pos, mem, mem, exec_slot=slot,
                        empty=value.pairs.empty, iw=value.pairs.iw)

    def with_from(self, name: str, tree, env: dict, pos: tuple) -> None:
        """`with co from generate_cos(X)`: see the module's docstring."""
        if name != "co":
            self.enumeration(name, self.expr(tree, env), env, pos)
            return
        args: list[Tree]  # the application's arguments, in order
        head, args = tree, []
        while getattr(head, "data", None) == "apply":
            args.insert(0, head.children[1])
            head = head.children[0]
        head_name = str(head.children[0]) if getattr(head, "data", None) == "name" else ""
        if head_name not in ("generate_cos", "generate_orders") or len(args) != 1:
            raise self.error(pos, "pylitmus runs `with co from` only over herd's "
                                  "generate_cos(...)")
        self.lookup(head_name, env, self.pos(head))  # herd wants it defined
        values = self.expr(args[0], env)
        values = values if isinstance(values, tuple) else (values,)
        if head_name == "generate_orders":
            if len(values) != 2 or not isinstance(values[0], Sym) \
                    or values[0].recipe != ("input", "W"):
                raise self.error(pos, "pylitmus runs generate_orders only over W")
            values = values[1:]
        if len(values) != 1:
            raise self.error(pos, f"{head_name} takes one relation")
        base = self.relation_or_set(values[0], pos)
        if not base.iw_first:
            raise self.error(pos, "pylitmus enumerates the coherence orders with the initial "
                                  "write first: the relation given must contain "
                                  "loc & (IW * (W \\ IW)), as herd's co0 does")
        self.co = self.co_input
        env["co"] = self.co
        rest = [t for t in (base.terms or (base,)) if not t.in_co]
        if rest:
            extra = rest[0]
            for term in rest[1:]:
                extra = self.combine(P.UNION, extra, term, pos)
            missing = self.combine(P.DIFF, extra, self.co, pos)
            self.check("empty", False, missing, "co-base", pos, False)


def compile_cat(path: str, libdir: str | None = None,
                variant_flags: frozenset[str] = frozenset()) -> P.Model:
    """Compile a cat model file (herd's `stdlib.cat` first, from its folder or libdir,
    when there is one)."""
    return _compile(path, libdir, variant_flags)[0]


def _compile(path: str, libdir: str | None,
             variant_flags: frozenset[str]) -> tuple[P.Model, dict[str, str | None]]:
    """The model and the files it was compiled from, with their text (None: looked
    for, not found)."""
    model_path = Path(path)
    comp = _Compiler(libdir, variant_flags)
    env: dict = {}
    if not model_path.is_file():
        raise CatError("cannot read the model: No such file or directory", path)
    # herd7 reads the model's options before anything else: `catdep` puts the register
    # events into the events the model sees.
    tree = _parse(str(model_path), _read(str(model_path)))
    comp.catdep = any(getattr(t, "data", None) == "catdep" for t in tree.children)
    for folder in (model_path.parent, *((Path(libdir),) if libdir else ())):
        stdlib = folder / "stdlib.cat"
        if stdlib.is_file():
            comp.run_file(stdlib, env)
            break
        comp.sources[str(stdlib)] = None
    comp.run_file(model_path, env)
    if comp.co is None:
        raise CatError("pylitmus enumerates coherence orders: the model must say "
                       "`with co from generate_cos(co0)` (herd's cos.cat does)", path)
    comp.name_for_witnesses()
    thread = _compact(comp.thread, list(comp.imports))
    execution = _compact(comp.execution, list(comp.execution.names))
    model = P.Model(thread, execution, comp.imports, frozenset(comp.flags_used))
    return model, comp.sources


def _compact(stage: P.Stage, names: list[str]) -> P.Stage:
    """The stage with only the ops its checks, flags and the given names need, its slots
    renumbered in order."""
    by_dest = {op.dest: op for op in stage.ops}
    roots = [c.slot for c in stage.checks + stage.flags] + [stage.names[n] for n in names] \
        + [s for c in stage.choices for s in (c.pairs, c.fixed, c.slot)]
    needed: set[int] = set()
    while roots:
        slot = roots.pop()
        if slot not in needed:
            needed.add(slot)
            op = by_dest[slot]
            roots += [x for x in (op.a, op.b) if x >= 0]
    number = {slot: i for i, slot in enumerate(sorted(needed))}
    out = P.Stage(stage.name)
    for op in stage.ops:
        if op.dest in number:
            out.ops.append(P.Op(op.code, number[op.dest], number.get(op.a, -1),
                                number.get(op.b, -1), op.name))
    out.kinds = [stage.kinds[s] for s in sorted(needed)]
    out.dynamic = [stage.dynamic[s] for s in sorted(needed)]
    out.names = {n: number[stage.names[n]] for n in names}
    out.checks = [P.Check(c.kind, number[c.slot], c.name, c.monotone) for c in stage.checks]
    out.flags = [P.Check(c.kind, number[c.slot], c.name, c.monotone) for c in stage.flags]
    out.choices = [P.Choice(c.name, number[c.pairs], number[c.fixed], number[c.slot])
                   for c in stage.choices]
    return out


@functools.lru_cache(maxsize=16)
def load_cat(path: str, libdir: str | None, variant_flags: frozenset[str]) -> P.Model:
    """A compiled cat model, once per process for each file, libdir and variant flags,
    kept in the user cache with the text of every file it was compiled from (a new
    process then skips parsing them)."""
    from ..frontend.grammar import _cache_dir, grammar_text

    key = repr((str(Path(path).resolve()), libdir and str(Path(libdir).resolve()),
                sorted(variant_flags))).encode()
    compiler = Path(__file__).read_bytes() + Path(P.__file__).read_bytes() \
        + grammar_text("cat").encode()
    directory = _cache_dir()
    cache = None
    if directory is not None:
        cache = directory / f"cat-{zlib.crc32(compiler, zlib.crc32(key)):08x}.pickle"
        try:
            with open(cache, "rb") as handle:
                cached_key, sources, model = pickle.load(handle)
            if cached_key == key and all(_unchanged(p, text) for p, text in sources.items()):
                return model
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError):
            pass
    model, sources = _compile(path, libdir, variant_flags)
    if cache is not None:
        try:
            temp = cache.with_suffix(f".{os.getpid()}.tmp")
            temp.write_bytes(pickle.dumps((key, sources, model), pickle.HIGHEST_PROTOCOL))
            os.replace(temp, cache)
        except OSError:
            pass
    return model


def _unchanged(path: str, text: str | None) -> bool:
    try:
        return Path(path).read_text(encoding="utf-8") == text
    except FileNotFoundError:
        return text is None
    except (OSError, UnicodeDecodeError):
        return False
