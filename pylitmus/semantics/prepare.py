"""From a parsed test to every thread's runs: the input of the explorer.

Works out the test's locations and their types, the initial state, the values
each read may return (to a fixpoint over all threads' writes), and then each
thread's runs under those values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..frontend import ast
from ..errors import LitmusError
from ..limits import LimitError, Limits, limit_message
from ..variants import in_force
from . import events as E
from .checks import check_static
from .instructions import execute
from .machine import Env, thread_runs
from .values import MASK64, Addr, CodeAddr, InstrBits

# C type -> (bits, signed)
CTYPES = {
    "int": (32, True), "int8_t": (8, True), "int16_t": (16, True), "int32_t": (32, True),
    "int64_t": (64, True), "uint8_t": (8, False), "uint16_t": (16, False),
    "uint32_t": (32, False), "uint64_t": (64, False), "char": (8, True),
    "short": (16, True), "long": (64, True), "intptr_t": (64, True), "uintptr_t": (64, False),
}
DEFAULT_TYPE = (32, True)  # herd7's `int`
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
    try:
        flags = in_force(test.meta, requested)
    except LitmusError as error:
        raise LitmusError(error.message, test.file) from None
    types: dict[str, tuple[int, bool]] = {}
    arrays: dict[str, tuple[int, int]] = {}
    init_memory: dict[str, object] = {}
    init_regs: list[dict[str, object]] = [dict() for _ in test.threads]
    nthreads = len(test.threads)

    for item in test.init:
        if isinstance(item, ast.Decl):
            ctype = CTYPES.get(item.ctype.rstrip("*").strip(), DEFAULT_TYPE)
            if "*" in item.ctype:
                ctype = (64, False)
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

    env = Env(test, arrays, {}, {}, "ifetch" in flags, unroll, limits=limits, variants=flags)
    # Code whose address the test exports can be read (and, with ifetch, fetched).
    from .fetch import code_locations
    env.code_locations = code_locations(test, init_regs)
    for loc, instr in env.code_locations.items():
        init_memory[loc] = instr

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
