"""The pipeline for one test: parse, run the threads, explore, judge.

front end (AST) -> semantics (thread runs) -> explorer (consistent executions,
under the model) -> a `Result` for the reporters.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass

from .errors import LitmusError
from .explorer.cut import CutCandidates
from .explorer.frame import FrameBuilder
from .frontend import ast
from .limits import LimitError, Limits, limit_message
from .model.program import load_model
from .result import Result, State
from .semantics.prepare import Prepared, mem_key, prepare, reg_key, to_value
from .semantics.values import CodeAddr, InstrBits, code_address, signed

KINDS = {"exists": "Allowed", "~exists": "Forbidden", "forall": "Required"}


@dataclass(frozen=True)
class Options:
    """How to check: herd7's -variant, -unroll, -speedcheck and -hexa, which engine, and
    pylitmus's limits."""

    variant: frozenset[str] = frozenset()
    unroll: int = 2
    engine: str = "auto"
    limits: Limits = Limits()
    speedcheck: bool = False  # stop as soon as the condition is decided
    hexa: bool = False  # states show numbers in hexadecimal


# ---- values as herd7 compares and prints them --------------------------------------

def normalise(value, ctype: tuple[int, bool]):
    if isinstance(value, int):
        bits, is_signed = ctype
        value &= (1 << bits) - 1
        return signed(value, bits) if is_signed else value
    return value


def show(value, hexa: bool = False) -> str:
    if isinstance(value, tuple):
        return "{" + ",".join(show(v, hexa) for v in value) + "}"
    if isinstance(value, int):
        return (f"-{-value:#x}" if value < 0 else f"{value:#x}") if hexa else str(value)
    if isinstance(value, CodeAddr):
        if value.label.startswith("@"):  # no label: herd7's numeric code address
            return str(code_address(value.thread, int(value.label[1:])))
        return f'label:"{value}"'
    if isinstance(value, InstrBits):
        return value.text if " " not in value.text else f'instr:"{value.text}"'
    return str(value)


def location_name(target) -> str:
    """How herd7 names a location in states and conditions."""
    if isinstance(target, ast.RegRef):
        return f"{target.thread}:{target.reg if target.reg[0] not in 'WX' else 'X' + target.reg[1:]}"
    if target.index is None:
        return f"[{target.name}]"  # an array as a whole prints bare; see Judge.state
    return f"{target.name}[{target.index}]"


def show_expr(expr) -> str:
    """The condition as herd7 prints it: parenthesised, chains of one operator flat."""
    return f"({_show(expr)})"


def _show(expr) -> str:
    if isinstance(expr, ast.Atom):
        return f"{location_name(expr.target)}={show_atom_value(expr.value)}"
    if isinstance(expr, ast.Const):
        return "true" if expr.value else "false"
    if isinstance(expr, ast.Not):
        return f"~{_operand(expr.arg)}"
    op = {ast.And: "/\\", ast.Or: "\\/", ast.Implies: "=>"}[type(expr)]
    parts = []

    def chain(e):
        if type(e) is type(expr) and not isinstance(e, ast.Implies):
            chain(e.left)
            chain(e.right)
        else:
            parts.append(_operand(e))

    if isinstance(expr, ast.Implies):
        parts = [_operand(expr.left), _operand(expr.right)]
    else:
        chain(expr.left)
        chain(expr.right)
    return f" {op} ".join(parts)


def _operand(expr) -> str:
    text = _show(expr)
    return f"({text})" if isinstance(expr, (ast.And, ast.Or, ast.Implies)) else text


def show_atom_value(v) -> str:
    if isinstance(v, tuple):
        return "{" + ",".join(show_atom_value(x) for x in v) + "}"
    if isinstance(v, ast.Int):
        return str(v.value)
    if isinstance(v, ast.Sym):
        return v.name
    if isinstance(v, ast.CodeLabel):
        return f'label:"P{v.thread}:{v.label}"'
    return v.text if " " not in v.text else f'instr:"{v.text}"'


def observed_locations(test: ast.Test) -> list:
    """The locations a state shows: those of `locations [...]` and of the condition."""
    found: dict[str, object] = {}
    for ref in test.locations:
        found.setdefault(location_name(ref), ref)
    for expr in (test.condition.expr, test.filter):
        for atom in ast.atoms(expr):
            found.setdefault(location_name(atom.target), atom.target)

    def order(item):
        name, ref = item
        if isinstance(ref, ast.RegRef):
            reg = name.split(":", 1)[1]
            number = int(reg[1:]) if reg[1:].isdigit() else -1
            return (0, ref.thread or 0, number, name)
        return (1, 0, 0, name)

    return [ref for _, ref in sorted(found.items(), key=order)]


class Judge:
    """Evaluates the final condition on final states."""

    def __init__(self, prepared: Prepared, hexa: bool = False):
        self.prepared = prepared
        self.hexa = hexa
        self.test = prepared.test
        self.shown = observed_locations(self.test)
        known = set(prepared.init_memory) | set(prepared.env.arrays)
        for atom in ast.atoms(self.test.condition.expr):
            if isinstance(atom.value, ast.Sym) and atom.value.name not in known:
                raise LitmusError.at(self.test.condition.pos, "the condition introduces a new "
                                     f"symbolic location: {atom.value.name}")
        self.names = [self.name(t) for t in self.shown]
        self._readers: dict[int, object] = {}  # id of a target or atom -> its reader

    def final_value(self, target, registers, memory):
        reader = self._readers.get(id(target))
        if reader is None:
            reader = self._readers[id(target)] = self._reader(target)
        return reader(registers, memory)

    def _reader(self, target):
        """A function of (registers, memory) giving the target's final value."""
        if isinstance(target, ast.RegRef):
            key = reg_key(target)
            thread = target.thread
            reg = key.split(":", 1)[1]
            ctype = self.prepared.type_of(key)

            def register(registers, memory):
                if not 0 <= thread < len(registers):
                    raise LitmusError.at(target.pos, f"thread {thread} does not exist")
                return normalise(registers[thread].get(reg, 0), ctype)
            return register
        key = mem_key(target)
        ctype = self.prepared.type_of(target.name)
        arrays = self.prepared.env.arrays
        length = arrays[target.name][1] \
            if target.index is None and target.name in arrays else None

        def location(registers, memory):
            if key in memory:
                return normalise(memory[key], ctype)
            if length is not None:
                return tuple(normalise(memory.get(f"{key}[{i}]", 0), ctype)
                             for i in range(length))
            raise LitmusError.at(target.pos, f"location {key} is not a location of the test")
        return location

    def holds(self, expr, registers, memory) -> bool:
        if isinstance(expr, ast.Atom):
            want = self._readers.get(id(expr))
            if want is None:
                want = self._readers[id(expr)] = self._wanted(expr)
            return self.final_value(expr.target, registers, memory) == want
        if isinstance(expr, ast.Const):
            return expr.value
        if isinstance(expr, ast.Not):
            return not self.holds(expr.arg, registers, memory)
        left = self.holds(expr.left, registers, memory)
        if isinstance(expr, ast.And):
            return left and self.holds(expr.right, registers, memory)
        if isinstance(expr, ast.Or):
            return left or self.holds(expr.right, registers, memory)
        return (not left) or self.holds(expr.right, registers, memory)

    def _wanted(self, atom: ast.Atom):
        """The value an atom compares with, as the location's type reads it."""
        ctype = (self.prepared.type_of(reg_key(atom.target))
                 if isinstance(atom.target, ast.RegRef)
                 else self.prepared.type_of(atom.target.name))
        if isinstance(atom.value, tuple):
            return tuple(normalise(to_value(v), ctype) for v in atom.value)
        return normalise(to_value(atom.value), ctype)

    def state(self, registers, memory) -> tuple:
        return tuple((name, show(self.final_value(t, registers, memory), self.hexa))
                     for name, t in zip(self.names, self.shown))

    def name(self, target) -> str:
        """A location's name in a state: a whole array prints bare (`x={1,2}`)."""
        if isinstance(target, ast.MemRef) and target.index is None and \
                target.name in self.prepared.env.arrays:
            return target.name
        return location_name(target)


def explore_test(prepared: Prepared, engine: str, options: Options = Options()):
    """Every consistent execution's final state, as {state: [count, satisfies]}, the flags
    raised, whether --speedcheck stopped the search once the condition was decided, and
    the loop heads (thread, label) where the unroll bound cut a run some candidate
    execution uses."""
    model = load_model(prepared.variant)
    judge = Judge(prepared, options.hexa)
    deciding = decides_for(prepared.test.condition.quantifier)
    test = prepared.test
    counts: dict[tuple, list] = {}
    flags: set[str] = set()
    if engine == "c":
        from .explorer import native as chosen_engine
    else:
        from .explorer import python as chosen_engine
    builder = FrameBuilder(prepared, model, chosen_engine.evaluate_stage)
    executions, limit = 0, prepared.env.limits.max_executions
    final_checks = [] if test.filter is None else [(test.filter, True)]
    if options.speedcheck:  # herd7 then only goes on with final states that can decide
        final_checks.append((test.condition.expr, deciding(True)))
    cut_candidates = CutCandidates(prepared.init_memory, final_checks, judge.holds)
    loop_heads: set[tuple[int, str]] = set()
    for runs in itertools.product(*prepared.runs):
        cut = {(run.thread, run.cut) for run in runs if run.cut is not None}
        if cut:
            if not cut <= loop_heads and cut_candidates.exists(runs):
                loop_heads |= cut
            if all(run.error is None for run in runs):
                continue
        frame = builder.frame(runs)
        found = chosen_engine.explore(frame, model)
        if not found:
            continue
        for run in runs:
            if run.error is not None:
                raise run.error  # herd7 reports it even when a cut run takes part
        executions += sum(found.values())
        if executions > limit:
            raise LimitError(limit_message("too many consistent executions",
                                           "--max-executions", limit), test.file)
        registers = [run.registers for run in runs]
        run_flags = frozenset().union(*(run.local.flags for run in runs))
        for (lasts, exec_flags), count in found.items():
            memory = final_memory(frame, lasts)
            if test.filter is not None and not judge.holds(test.filter, registers, memory):
                continue
            key = judge.state(registers, memory)
            entry = counts.get(key)
            if entry is None:
                entry = counts[key] = [0, judge.holds(test.condition.expr, registers, memory)]
            entry[0] += count
            flags.update(exec_flags, run_flags)
        if options.speedcheck and any(deciding(s) for _, s in counts.values()):
            return counts, flags, True, loop_heads
    return counts, flags, False, loop_heads


def decides_for(quantifier: str):
    """Whether an execution that does (True) or does not satisfy the condition decides
    the test: one witness decides `exists`, one counter-example decides `forall`."""
    return (lambda satisfies: not satisfies) if quantifier == "forall" else bool


def final_memory(frame, lasts) -> dict:
    """Each location's value after the execution, from its coherence-last write."""
    return {loc: frame.events[w].value for loc, w in zip(frame.writes_by_loc, lasts)}


def check_test(test: ast.Test, options: Options = Options()) -> Result:
    """Check one parsed test."""
    start = time.perf_counter()
    prepared = prepare(test, options.unroll, options.variant, options.limits)
    engine = "python" if options.engine == "python" else _native_or_python()
    counts, flags, decided_early, loop_heads = explore_test(prepared, engine, options)
    if loop_heads:  # herd7 names one head (its last candidate's); we name each, by thread
        heads = ", ".join(dict.fromkeys(label for _, label in sorted(loop_heads)))
        prepared.env.warnings.add(f'File "{test.file}": unrolling limit exceeded at {heads}, '
                                  "legal outcomes may be missing.")
    if decided_early:
        prepared.env.warnings.add("decided early (--speedcheck): the states and counts are "
                                  "those found before the condition was decided")
    quantifier = test.condition.quantifier
    sat = sum(c for c, s in counts.values() if s)
    unsat = sum(c for c, s in counts.values() if not s)
    if quantifier == "~exists":
        positive, negative, ok = unsat, sat, sat == 0
    elif quantifier == "forall":
        positive, negative, ok = sat, unsat, unsat == 0
    else:
        positive, negative, ok = sat, unsat, sat > 0
    observation = "Never" if sat == 0 else "Always" if unsat == 0 else "Sometimes"
    states = [State(key, c, s) for key, (c, s) in sorted(counts.items(), key=_state_order)]
    return Result(
        file=test.file, name=test.name, kind=KINDS[quantifier],
        condition=f"{quantifier} {show_expr(test.condition.expr)}",
        quantifier=quantifier, states=states, positive=positive, negative=negative, ok=ok,
        observation=observation, flags=sorted(flags), warnings=sorted(prepared.env.warnings),
        variant=sorted(prepared.variant), engine=engine,
        seconds=time.perf_counter() - start, condition_tree=test.condition.expr,
        decided_early=decided_early, loop=bool(loop_heads))


def _state_order(item):
    key = item[0]
    return tuple(_value_order(v) for _, v in key)


def _value_order(text: str):
    try:
        return (0, int(text, 0), "")
    except ValueError:
        return (1, 0, text)


def _native_or_python() -> str:
    try:
        from .explorer import native  # noqa: F401
        return "c"
    except ImportError:
        return "python"
