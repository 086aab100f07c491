"""Compile a model file into straight-line relation-algebra programs.

A program is a list of `Op`s over numbered slots. Every slot holds a set of
events or a relation over events. The Python evaluator (`evaluate.py`) and the
C core (`pylitmus/explorer/_core.c`) run the same op codes, so the model is
written once, in `aarch64.model`.
"""

from __future__ import annotations

import functools
import os
import pickle
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from ..semantics import annotations as A
from .opcodes import (
    COMPLEMENT,
    CROSS,
    DIFF,
    DOMAIN,
    EMPTY,
    IDENTITY,
    INPUT,
    INTER,
    INVERSE,
    OP_NAMES,
    OPT,
    PLUS,
    RANGE,
    SEQ,
    UNION,
)
from .opcodes import COPY as COPY  # re-exported: evaluate.py and the engines read P.COPY

SET, REL = "set", "rel"

# The base names each stage starts from, with their kinds: the thread stage's sets are
# those of event kinds, M (R | W), and the annotations the model reads.
THREAD_SETS = ("R", "W", "M", "Rreg", "Wreg", "B", "FAULT", *A.READ)
# The sets a run gives its thread stage: those and every other annotation, which a model
# given with --model may read.
EVENT_SETS = (*THREAD_SETS, *sorted(A.NOT_READ))
THREAD_RELS = ("po", "same-loc", "same-reg", "iico_data", "iico_ctrl", "iico_order",
               "same-instance", "id", "sca", "scl", "same-low-order-bits")
EXECUTION_SETS = ("IW",)
EXECUTION_RELS = ("rf", "co", "id", "int", "ext", "loc", "scl",
                  # relations of memory events under virtual memory: by the values they
                  # carry, both descriptors with the same output address, one of the two
                  # a writable descriptor, different values, a page-table access to an
                  # access of its descriptor's physical location (herd7's same-oa,
                  # at-least-one-writable, different-values, PTEtoPA); a TLB
                  # invalidation and the page-table accesses it covers (inv-domain)
                  "same-oa", "at-least-one-writable", "different-values", "PTEtoPA",
                  "inv-domain",
                  # under the mixed variant: the bytes of one location's initial value
                  "init-sca")
# Inputs that change from one candidate to the next.
DYNAMIC_INPUTS = frozenset({"rf", "co"})


class Op(NamedTuple):
    """`slot[dest] = code(slot[a], slot[b])`; for INPUT, `name` says which input."""

    code: int
    dest: int
    a: int = -1
    b: int = -1
    name: str = ""


class Check(NamedTuple):
    """A consistency check (or a flag) on a slot: acyclic, irreflexive, empty, nonempty."""

    kind: str
    slot: int
    name: str
    monotone: bool


class Choice(NamedTuple):
    """`choose NAME orienting PAIRS keeping FIXED`: enumerate orientations of pairs."""

    name: str
    pairs: int
    fixed: int
    slot: int


@dataclass
class Stage:
    """One stage of a model: its ops, the kind of each slot, checks, flags and choices."""

    name: str
    ops: list[Op] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    names: dict[str, int] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    flags: list[Check] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)
    dynamic: list[bool] = field(default_factory=list)

    def new_slot(self, kind: str, dynamic: bool) -> int:
        self.kinds.append(kind)
        self.dynamic.append(dynamic)
        return len(self.kinds) - 1


STATIC, CHOSEN, DYNAMIC = 0, 1, 2


def partition(stage: Stage) -> tuple[list[Op], list[Op], list[Op]]:
    """Split a stage's ops by what they depend on: nothing that varies (static), the
    `choose` enumerations only (chosen), or rf and co (dynamic)."""
    choice_slots = {c.slot for c in stage.choices}
    level = [STATIC] * len(stage.kinds)
    parts: tuple[list[Op], list[Op], list[Op]] = ([], [], [])
    for op in stage.ops:
        if op.code == INPUT:
            lv = DYNAMIC if op.name in DYNAMIC_INPUTS else CHOSEN if op.dest in choice_slots \
                else STATIC
        else:
            lv = max([level[x] for x in (op.a, op.b) if x >= 0], default=STATIC)
        level[op.dest] = lv
        parts[lv].append(op)
    return parts


@dataclass
class Model:
    """A compiled model: the thread stage, the execution stage, and the names the
    execution stage takes from the thread stage (`imports`: name -> kind)."""

    thread: Stage
    execution: Stage
    imports: dict[str, str]
    flags_used: frozenset[str]


def monotone(stage: Stage, slot: int) -> bool:
    """True when the slot can only grow as rf and co grow (no dynamic operand is
    subtracted or complemented), so a partial candidate that fails fails for good."""
    by_dest = {op.dest: op for op in stage.ops}

    @functools.lru_cache(maxsize=None)
    def mono(s: int) -> bool:
        op = by_dest[s]
        if op.code == DIFF and stage.dynamic[op.b]:
            return False
        if op.code == COMPLEMENT and stage.dynamic[op.a]:
            return False
        return all(mono(x) for x in (op.a, op.b) if x >= 0)

    return mono(slot)


class ModelError(Exception):
    """A mistake in a model file (a bug of ours, not of the user's test)."""


class _Compiler:
    def __init__(self, variant_flags: frozenset[str]):
        self.variant_flags = variant_flags
        self.thread = Stage("thread")
        self.execution = Stage("execution")
        self.stage: Stage | None = None
        self.imports: dict[str, str] = {}
        self.flags_used: set[str] = set()
        self.empty_slots: set[tuple[str, int]] = set()  # (stage, slot) holding `0`
        self.thread_kinds: dict[str, str] = {n: SET for n in THREAD_SETS}
        self.thread_kinds.update({n: REL for n in THREAD_RELS})

    @property
    def current(self) -> Stage:
        """The stage statements go to."""
        if self.stage is None:
            raise ModelError("a model starts with `stage thread`")
        return self.stage

    # -- slots --------------------------------------------------------------
    def emit(self, code: int, kind: str, a: int = -1, b: int = -1, name: str = "",
             dynamic: bool | None = None) -> int:
        st = self.current
        if dynamic is None:
            dynamic = (a >= 0 and st.dynamic[a]) or (b >= 0 and st.dynamic[b])
        dest = st.new_slot(kind, dynamic)
        st.ops.append(Op(code, dest, a, b, name))
        if code == EMPTY:
            self.empty_slots.add((st.name, dest))
        return dest

    def lookup(self, name: str) -> int:
        st = self.current
        if name in st.names:
            return st.names[name]
        if st is self.thread:
            kind = self.thread_kinds.get(name)
        elif name in EXECUTION_SETS or name in EXECUTION_RELS:
            kind = SET if name in EXECUTION_SETS else REL
        else:
            kind = self.thread_kinds.get(name)
            if kind is not None:
                self.imports[name] = kind
                if name not in self.thread.names:  # a thread input only this stage uses
                    self.stage = self.thread
                    self.lookup(name)
                    self.stage = st
        if kind is None:
            raise ModelError(f"unknown name {name!r} in the {st.name} stage")
        slot = self.emit(INPUT, kind, name=name, dynamic=name in DYNAMIC_INPUTS)
        st.names[name] = slot
        return slot

    # -- expressions ----------------------------------------------------------
    def expr(self, tree) -> int:
        kind = tree.data
        kids = tree.children
        if kind == "name":
            return self.lookup(str(kids[0]))
        if kind == "empty_rel":
            return self.emit(EMPTY, REL)
        if kind == "cond":
            return self.expr(kids[1] if self.flag(kids[0]) else kids[2])
        if kind in ("union_", "seq_", "diff_", "inter_"):
            code = {"union_": UNION, "seq_": SEQ, "diff_": DIFF, "inter_": INTER}[kind]
            slot = self.expr(kids[0])
            for kid in kids[1:]:
                other = self.expr(kid)
                slot = self.binary(code, slot, other)
            return slot
        if kind == "cross_":
            a, b = self.expr(kids[0]), self.expr(kids[1])
            self.want(a, SET, "*")
            self.want(b, SET, "*")
            return self.emit(CROSS, REL, a, b)
        if kind == "complement":
            a = self.expr(kids[0])
            return self.emit(COMPLEMENT, self.current.kinds[a], a)
        if kind in ("plus", "opt", "inverse"):
            a = self.expr(kids[0])
            self.want(a, REL, kind)
            if kind != "opt" and self.is_empty(a):
                return a
            return self.emit({"plus": PLUS, "opt": OPT, "inverse": INVERSE}[kind], REL, a)
        if kind == "identity":
            a = self.expr(kids[0])
            self.want(a, SET, "[...]")
            return self.emit(IDENTITY, REL, a)
        if kind in ("domain", "range"):
            a = self.expr(kids[0])
            self.want(a, REL, kind)
            return self.emit(DOMAIN if kind == "domain" else RANGE, SET, a)
        raise ModelError(f"unexpected construct {kind}")

    def binary(self, code: int, a: int, b: int) -> int:
        kinds = self.current.kinds
        if code == SEQ:
            self.want(a, REL, ";")
            self.want(b, REL, ";")
        elif kinds[a] != kinds[b]:
            raise ModelError(f"{OP_NAMES[code]} of a set and a relation")
        # Fold the empty relation (a clause of a variant not in force): the programs of
        # the other variants stay as if the clause were not written.
        if self.is_empty(a) and code in (UNION, SEQ, INTER, DIFF):
            return b if code == UNION else a
        if self.is_empty(b) and code in (UNION, SEQ, INTER, DIFF):
            return a if code in (UNION, DIFF) else b
        return self.emit(code, kinds[a], a, b)

    def is_empty(self, slot: int) -> bool:
        """Does the slot hold the empty relation `0`, as written?"""
        return (self.current.name, slot) in self.empty_slots

    def want(self, slot: int, kind: str, what: str) -> None:
        if self.current.kinds[slot] != kind:
            raise ModelError(f"{what} expects a {kind}")

    def flag(self, tree) -> bool:
        if tree.data == "flag_name":
            name = str(tree.children[0])
            self.flags_used.add(name)
            return name in self.variant_flags
        if tree.data == "flag_not":
            return not self.flag(tree.children[0])
        return self.flag(tree.children[0]) and self.flag(tree.children[1])

    # -- statements -----------------------------------------------------------
    def statement(self, tree) -> None:
        kind = tree.data
        kids = tree.children
        if kind == "stage":
            name = str(kids[0])
            if name not in ("thread", "execution"):
                raise ModelError(f"unknown stage {name}")
            self.stage = self.thread if name == "thread" else self.execution
            return
        if self.stage is None:
            raise ModelError("a model starts with `stage thread`")
        if kind == "let":
            slot = self.expr(kids[1])
            self.stage.names[str(kids[0])] = slot
            if self.stage is self.thread:
                self.thread_kinds[str(kids[0])] = self.stage.kinds[slot]
        elif kind in ("check", "flag"):
            slot = self.expr(kids[1])
            if self.is_empty(slot) and str(kids[0]) in ("empty", "nonempty"):
                # a check that always holds or a flag that never rises: a part of the
                # model for variants not in force (`if vmsa then ... else 0`)
                return
            item = Check(str(kids[0]), slot, str(kids[2]), monotone(self.current, slot))
            (self.stage.checks if kind == "check" else self.stage.flags).append(item)
        elif kind == "choose":
            if self.stage is not self.execution:
                raise ModelError("choose belongs to the execution stage")
            pairs, fixed = self.expr(kids[1]), self.expr(kids[2])
            if self.is_empty(pairs):  # nothing to orient under these variants
                self.stage.names[str(kids[0])] = pairs
                return
            if self.stage.dynamic[pairs] or self.stage.dynamic[fixed]:
                raise ModelError("choose cannot depend on rf or co")
            slot = self.stage.new_slot(REL, False)
            self.stage.ops.append(Op(INPUT, slot, name=str(kids[0])))
            self.stage.choices.append(Choice(str(kids[0]), pairs, fixed, slot))
            self.stage.names[str(kids[0])] = slot


@functools.lru_cache(maxsize=None)
def _parser():
    from lark import Lark

    from ..frontend.grammar import grammar_text

    return Lark(grammar_text("model"), parser="lalr")


@functools.lru_cache(maxsize=None)
def load_model(variant_flags: frozenset[str] = frozenset(), name: str = "aarch64.model") -> Model:
    """Compile the packaged model for a set of variant flags (ifetch, DIC, IDC), or load
    it from the user cache, where it is kept with what it was compiled from: the model
    text, the flags, this compiler's source and the event annotation registry's."""
    from ..frontend.grammar import _cache_dir

    text = Path(__file__).with_name(name).read_text()
    compiler = Path(__file__).read_bytes() + Path(A.__file__).read_bytes()
    source = (text, tuple(sorted(variant_flags)), compiler)
    directory = _cache_dir()
    path = None
    if directory is not None:
        digest = zlib.crc32(source[2], zlib.crc32(repr(source[:2]).encode()))
        path = directory / f"model-{name}-{digest:08x}.pickle"
        try:
            with open(path, "rb") as handle:
                cached_source, model = pickle.load(handle)
            if cached_source == source:
                return model
        except (OSError, pickle.PickleError, EOFError, AttributeError, ValueError, TypeError):
            pass
    model = compile_model(text, variant_flags)
    if path is not None:
        try:
            temp = path.with_suffix(f".{os.getpid()}.tmp")
            temp.write_bytes(pickle.dumps((source, model), pickle.HIGHEST_PROTOCOL))
            os.replace(temp, path)
        except OSError:
            pass
    return model


def compile_model(text: str, variant_flags: frozenset[str] = frozenset()) -> Model:
    tree = _parser().parse(text)
    comp = _Compiler(variant_flags)
    for statement in tree.children:
        comp.statement(statement)
    return Model(comp.thread, comp.execution, comp.imports, frozenset(comp.flags_used))
