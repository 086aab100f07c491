"""From a parsed test to every thread's runs: the input of the explorer.

Works out the test's locations and their types, the initial state, the values
each read may return (to a fixpoint over all threads' writes), and then each
thread's runs under those values.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..errors import LitmusError
from ..frontend import ast
from ..limits import LimitError, Limits, limit_message
from . import events as E
from .checks import check_static
from .instructions import execute
from .machine import DEFAULT_BITS, Env, thread_runs
from .values import INSTRUCTION_BITS, MASK64, Addr, CodeAddr, InstrBits

# C type -> (bits, signed): herd7's table (lib/testType.ml, size_of and is_signed), where
# `long` is 32 bits; an instruction (`ins_t`) is a 32-bit word (herd/archExtra_herd.ml).
CTYPES = {
    "int": (32, True), "long": (32, True), "int32_t": (32, True), "uint32_t": (32, False),
    "atomic_t": (32, False), "char": (8, True), "int8_t": (8, True), "uint8_t": (8, False),
    "short": (16, True), "int16_t": (16, True), "uint16_t": (16, False),
    "int64_t": (64, True), "uint64_t": (64, False), "intptr_t": (64, True),
    "uintptr_t": (64, False), "pteval_t": (64, False), "parel1_t": (64, False),
    "ins_t": (32, False),
}
WIDE_CTYPES = ("__int128_t", "__uint128_t", "__int128", "__uint128", "int128_t", "uint128_t")
DEFAULT_TYPE = (DEFAULT_BITS, True)  # herd7's `int`
# herd7 checks access sizes unless one of these variants is on (herd/mem.ml: mixed, memtag,
# morello, dontcheckmixed; herd/variant.ml spells memtag three ways).
MIXED_SIZE_VARIANTS = frozenset(("mixed", "dontcheckmixed", "memtag", "tagmem", "mte", "morello"))
POINTER_TYPE = (64, False)  # a pointer, or an untyped location that starts with an address
MAX_VALUE_ROUNDS = 16  # rounds of the value fixpoint; a warning says when it is cut


@dataclass
class Prepared:
    """A test ready for exploration."""

    test: ast.Test
    env: Env
    runs: list[list[E.Run]]
    init_memory: dict[str, object]
    types: dict[str, tuple[int, bool]] = field(default_factory=dict)
    variant: frozenset[str] = frozenset()

    def type_of(self, key: str) -> tuple[int, bool]:
        return self.types.get(key, DEFAULT_TYPE)


def variant_words(test: ast.Test, requested: frozenset[str]) -> set[str]:
    """herd7's variant names in force, lower case: requested ones and the Variant= line's."""
    words = {w.lower() for w in requested}
    words.update(w.strip().lower() for w in test.meta.get("Variant", "").split(","))
    return words


def variant_flags(test: ast.Test, requested: frozenset[str]) -> frozenset[str]:
    """The model's variant flags: requested ones plus the test's Variant/CacheType lines."""
    flags = set()
    words = variant_words(test, requested)
    if words & {"ifetch", "self"}:
        flags.add("ifetch")
    cache = cache_type(test)
    if "DIC" in cache:
        flags.update(("DIC", "IDC"))  # DIC implies IDC
    if "IDC" in cache:
        flags.add("IDC")
    return frozenset(flags)


def declared_type(decl: ast.Decl, shown: set[str]) -> tuple[int, bool] | None:
    """The (bits, signed) of a declaration, None for a register whose type does not matter.

    herd7 needs the size of a location's type at once (herd/archExtra_herd.ml,
    build_size_env), and that of a register's type when it shows or compares the register
    (`shown`: keys of the registers of `locations`, the filter and the condition); it
    refuses a type it cannot size, "Cannot find the size of type" (lib/testType.ml), but
    knows the size of any pointer."""
    if decl.ctype.endswith("*"):
        return POINTER_TYPE
    register = isinstance(decl.target, ast.RegRef)
    if register and reg_key(decl.target) not in shown and decl.ctype not in CTYPES:
        return None
    if decl.ctype in WIDE_CTYPES:
        raise LitmusError.at(decl.pos, f"type {decl.ctype} is not supported yet "
                                       f"(pylitmus holds values of 64 bits at most)")
    if decl.ctype not in CTYPES:
        raise LitmusError.at(decl.pos, f"unknown type {decl.ctype}: herd7 cannot find its "
                                       f"size (it knows {', '.join(CTYPES)})")
    return CTYPES[decl.ctype]


def shown_registers(test: ast.Test) -> set[str]:
    """The keys (`0:X1`) of the registers that `locations`, the filter and the condition name."""
    refs = [ref for ref in test.locations if isinstance(ref, ast.RegRef)]
    for expr in (test.condition.expr, test.filter):
        refs.extend(atom.target for atom in ast.atoms(expr)
                    if isinstance(atom.target, ast.RegRef))
    return {reg_key(ref) for ref in refs}


def location_bits(init_memory: dict, types: dict, arrays: dict, code: dict) -> dict[str, int]:
    """Each location's size, that of its initial write: its declared type's, an array's
    element type's, 32 bits for an instruction; an untyped location is an `int`, or a
    pointer when it starts with an address (herd/archExtra_herd.ml, build_size_env)."""
    sizes = {}
    for loc, value in init_memory.items():
        name = loc.partition("[")[0]
        if loc in code:
            sizes[loc] = INSTRUCTION_BITS
        elif name in arrays:
            sizes[loc] = arrays[name][0] * 8
        elif name in types:
            sizes[loc] = types[name][0]
        else:
            untyped = POINTER_TYPE if isinstance(value, (Addr, CodeAddr)) else DEFAULT_TYPE
            sizes[loc] = untyped[0]
    return sizes


def cache_type(test: ast.Test) -> set[str]:
    """The keys of the CacheType= line, as herd7's lib/cacheType.mll reads them: words of
    letters, DIC or IDC in any case, between blanks."""
    text = test.meta.get("CacheType", "")
    if not re.fullmatch(r"[A-Za-z \t\r]*", text):
        raise LitmusError(f"incorrect cache-type feature specification '{text}'", test.file)
    keys = set()
    for word in text.split():
        if word.upper() not in ("DIC", "IDC"):
            raise LitmusError(f"'{word}' is not a cache-type key, keys are DIC, IDC", test.file)
        keys.add(word.upper())
    return keys


def to_value(v: ast.Value, arrays: dict | None = None):
    """A literal's value; `x[2]` is the address of cell 2 of array x."""
    if isinstance(v, ast.Int):
        return v.value & MASK64
    if isinstance(v, ast.Sym):
        if getattr(v, "index", None):
            size = (arrays or {}).get(v.name, (8, 0))[0]
            return Addr(v.name, v.index * size)
        return Addr(v.name)
    if isinstance(v, ast.CodeLabel):
        return CodeAddr(v.thread, v.label)
    return InstrBits(v.text)


def mem_key(ref: ast.MemRef) -> str:
    return ref.name if ref.index is None else f"{ref.name}[{ref.index}]"


def reg_key(ref: ast.RegRef) -> str:
    from .machine import reg_key as key
    return f"{ref.thread}:{key(ref.reg)}"


def prepare(test: ast.Test, unroll: int = 2, requested: frozenset[str] = frozenset(),
            limits: Limits = Limits()) -> Prepared:
    """Build the environment and enumerate every thread's runs."""
    check_static(test)
    flags = variant_flags(test, requested)
    types: dict[str, tuple[int, bool]] = {}
    arrays: dict[str, tuple[int, int]] = {}
    init_memory: dict[str, object] = {}
    init_regs: list[dict[str, object]] = [dict() for _ in test.threads]
    nthreads = len(test.threads)

    shown = shown_registers(test)
    for item in test.init:
        if isinstance(item, ast.Decl):
            ctype = declared_type(item, shown)
            if ctype is None:
                continue
            if isinstance(item.target, ast.RegRef):
                types[reg_key(item.target)] = ctype
            else:
                name = item.target.name
                types[name] = ctype
                if item.array_size is not None:
                    arrays[name] = (ctype[0] // 8, item.array_size)
                    for i in range(item.array_size):
                        init_memory.setdefault(f"{name}[{i}]", 0)
                else:
                    init_memory.setdefault(name, 0)
    for item in test.init:
        if isinstance(item, ast.InitReg):
            from .machine import reg_key as key
            # A symbolic register (`%x`, no thread) starts with its value in every thread.
            owners = range(nthreads) if item.target.thread is None else [item.target.thread]
            for thread in owners:
                init_regs[thread][key(item.target.reg)] = to_value(item.value, arrays)
        elif isinstance(item, ast.InitMem):
            name = item.target.name
            if isinstance(item.value, tuple):
                size = len(item.value)
                arrays.setdefault(name, (types.get(name, DEFAULT_TYPE)[0] // 8, size))
                for i, v in enumerate(item.value):
                    init_memory[f"{name}[{i}]"] = to_value(v, arrays)
            else:
                init_memory[mem_key(item.target)] = to_value(item.value, arrays)
    # Locations a register points to exist too, initially 0.
    for regs in init_regs:
        for v in regs.values():
            if isinstance(v, Addr) and v.base not in arrays:
                init_memory.setdefault(v.base, 0)
    for v in list(init_memory.values()):
        if isinstance(v, Addr) and v.base not in arrays:
            init_memory.setdefault(v.base, 0)

    env = Env(test, arrays, {}, {}, "ifetch" in flags, unroll, limits=limits)
    # Code whose address the test exports can be read (and, with ifetch, fetched).
    from .fetch import code_locations, exported_labels
    env.code_locations = code_locations(test, init_regs)
    env.exported_labels = frozenset(exported_labels(test, init_regs))
    env.telechat = "telechat" in variant_words(test, requested)
    for loc, instr in env.code_locations.items():
        init_memory[loc] = instr
    if not variant_words(test, requested) & MIXED_SIZE_VARIANTS:
        env.location_bits = location_bits(init_memory, types, arrays, env.code_locations)

    # The values each location may hold, to a fixpoint over what threads write.
    env.possible = {loc: {v} for loc, v in init_memory.items()}
    runs: list[list[E.Run]] = []
    for _ in range(MAX_VALUE_ROUNDS):
        runs = [thread_runs(env, t, init_regs[t.index], execute) for t in test.threads]
        grown = False
        for thread in runs:
            for run in thread:
                for ev in run.events:
                    if ev.kind == E.MEM_WRITE:
                        values = env.possible.setdefault(ev.loc, {init_memory.get(ev.loc, 0)})
                        if ev.value not in values:
                            values.add(ev.value)
                            grown = True
        combinations = math.prod(len(thread) for thread in runs)  # grows with the values
        if combinations > limits.max_executions:
            raise LimitError(limit_message(f"{combinations} combinations of thread runs",
                                           "--max-executions", limits.max_executions),
                             test.file)
        if not grown:
            break
    else:
        env.warnings.add(f"the values reads may return still grew after {MAX_VALUE_ROUNDS} "
                         "rounds; outcomes needing longer chains of writes may be missing")
    return Prepared(test, env, runs, init_memory, types, flags)
