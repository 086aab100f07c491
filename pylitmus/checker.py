"""The pipeline for one test: parse, run the threads, explore, judge.

front end (AST) -> semantics (thread runs) -> explorer (consistent executions,
under the model) -> a `Result` for the reporters.
"""

from __future__ import annotations

import copy
import functools
import time
from collections.abc import Callable
from typing import NamedTuple

from .errors import LitmusError
from .explorer.combine import combinations
from .explorer.cut import CutCandidates
from .explorer.frame import FrameBuilder
from .frontend import ast
from .limits import LimitError, Limits, limit_message
from .model.program import Model, load_model
from .result import FAULTS, Faults, Location, Result, State, is_faults
from .semantics import events as E
from .semantics.machine import ref_key, reg_key
from .semantics.mixed import recompose
from .semantics.prepare import Prepared, mem_key, prepare, to_value
from .semantics.values import (
    Addr,
    CodeAddr,
    Fault,
    Number,
    fault_text,
    fault_type_order,
    herd_order,
    is_table_location,
    is_tag_location,
)
from .variants import combination_flags, not_supported

KINDS = {"exists": "Allowed", "~exists": "Forbidden", "forall": "Required"}


class Options(NamedTuple):
    """How to check: herd7's -variant, -unroll and -speedcheck, which engine, and
    pylitmus's limits."""

    variant: frozenset[str] = frozenset()
    unroll: int = 2
    engine: str = "auto"
    limits: Limits = Limits()
    speedcheck: bool = False  # count only the executions that can decide the condition
    model: str | None = None  # a cat model file instead of the built-in Arm model
    libdir: str | None = None  # where the cat model's includes are found (herd7's -set-libdir)


def model_for(options: Options, variant: frozenset[str]) -> Model:
    """The compiled model to check with: the built-in one, or `options.model`."""
    if options.model is None:
        return load_model(variant)
    if "mixed" in variant:
        raise LitmusError("mixed-size accesses (variant mixed) under --model are not "
                          "supported yet")
    from .model.cat import load_cat

    return load_cat(options.model, options.libdir, variant)


def location_of(target: ast.RegRef | ast.MemRef, arrays) -> Location:
    """The place a condition or `locations` names; `x` is a whole array when it is one."""
    if isinstance(target, ast.RegRef):
        return Location(reg_key(target.reg), target.thread)
    if target.index is None:
        return Location(target.name, array=target.name in arrays)
    return Location(target.name, index=target.index)


def location_order(location: Location) -> tuple:
    """herd7's order of locations in a state: registers by thread, then as herd7's
    register type orders them (XZR, SP, then X0 to X30, then the others), then memory
    locations by name (page-table entries and memory tags after the others), then array
    cells."""
    if location.thread is not None:
        name = location.name
        rank: tuple
        if name in ("XZR", "SP"):
            rank = (0, name != "XZR")
        elif name[0] == "X" and name[1:].isdigit():
            rank = (1, int(name[1:]))
        else:
            rank = (2, name)
        return (0, location.thread, rank)
    if location.index is None:
        system = is_table_location(location.name) or is_tag_location(location.name)
        return (1, system, location.name)
    return (2, location.name, location.index)


def observed_locations(test: ast.Test, arrays) -> list:
    """The locations a state shows, in herd7's order: those of `locations [...]` and of
    the condition (not those of a `filter`)."""
    found: dict[Location, object] = {}
    refs = [ref for ref in test.locations if not isinstance(ref, ast.FaultAtom)]
    refs += [ref for atom in ast.atoms(test.condition.expr) for ref in atom.locations]
    for ref in refs:
        found.setdefault(location_of(ref, arrays), ref)
    return sorted(found.items(), key=lambda item: location_order(item[0]))


def condition_value(value: ast.Value):
    """A value written in a condition. `t[1]` there is the address of t plus 1 (herd7's
    StateParser.mly, mk_sym_with_index, not scaled by the cell size as in the init block):
    herd7 prints it `t+1`, and a register holding the address of t[1] does not match it."""
    if isinstance(value, ast.Sym) and value.index is not None:
        return Addr(value.name, value.index)
    return to_value(value)


def symbol_named(value) -> str | None:
    """The location a value written in a condition names, if any: an address's, or the
    output address's of a descriptor or of a PAR_EL1 value."""
    if isinstance(value, (ast.Descriptor, ast.TranslationResult)):
        value = value.oa
    if isinstance(value, (ast.Sym, ast.TableEntry, ast.Physical)):
        return value.name
    return None


def masked(value, size: int):
    """A value as a location of `size` bits compares it: numbers cut to that size."""
    if isinstance(value, tuple):
        return tuple(masked(v, size) for v in value)
    if isinstance(value, Number):
        return value.bits & ((1 << size) - 1)
    if isinstance(value, int):
        return value & ((1 << size) - 1)
    return value


def unmasked(value):
    """A value as herd7 compares two locations' values: numbers by the bits they hold."""
    if isinstance(value, tuple):
        return tuple(unmasked(v) for v in value)
    return value.bits if isinstance(value, Number) else value


def fault_atom_order(atom: ast.FaultAtom) -> tuple:
    """herd7's order of the fault atoms of a condition (they form a set)."""
    return (atom.thread, atom.label or "", atom.loc or "", fault_type_order(atom.type))


def run_faults(test: ast.Test, runs, known: dict[int, list[Fault]] | None = None
               ) -> tuple[Fault, ...]:
    """The faults of a combination of runs, in herd7's order; `known` keeps each run's
    (by its id: the runs must outlive it), for the other combinations it is in."""
    found: list[Fault] = []
    for run in runs:
        faults = None if known is None else known.get(id(run))
        if faults is None:
            faults = _faults_of(test, run)
            if known is not None:
                known[id(run)] = faults
        found += faults
    return tuple(sorted(found, key=lambda fault: fault.order)) if found else ()


def _faults_of(test: ast.Test, run) -> list[Fault]:
    """The faults of one run, in its order."""
    found = []
    for ev in run.events:
        if ev.kind == E.FAULT:
            thread = test.threads[run.thread]
            index = run.instances[ev.instance].pc
            labels = tuple(sorted(name for name, at in thread.labels.items() if at == index))
            fault_type, _, message = ev.value.partition(",")
            found.append(Fault(run.thread, labels, ev.loc, fault_type, message or None,
                               ev.offset))
    return found


class Judge:
    """Evaluates the final condition on final states."""

    def __init__(self, prepared: Prepared):
        self.prepared = prepared
        self.test = prepared.test
        known = set(prepared.init_memory) | set(prepared.env.arrays)
        if prepared.env.layout is not None:
            known |= set(prepared.env.layout.cells)
        for atom in ast.atoms(self.test.condition.expr):
            name = symbol_named(atom.value)
            if name is not None and name not in known:
                raise LitmusError.at(self.test.condition.pos, "the condition introduces a new "
                                     f"symbolic location: {name}")
        self.shown = observed_locations(self.test, prepared.env.arrays)
        # herd7 prints a number held by a location of type ins_t with the size of that type,
        # which it does not know (herd/archExtra_herd.ml, cast_for_pp_with_base; lib/
        # testType.ml: "Cannot find the size of type ins_t"); an instruction prints well.
        typed_ins = {location_key(item.target) for item in self.test.init
                     if isinstance(item, ast.Decl) and item.ctype == "ins_t"}
        self._shown_ins = [(index, location_key(ref))
                           for index, (_, ref) in enumerate(self.shown)
                           if location_key(ref) in typed_ins]
        # The fault atoms of `locations` and of the condition: the faults a state shows.
        self.fault_atoms = [atom for atom in self.test.locations
                            if isinstance(atom, ast.FaultAtom)]
        self.fault_atoms += ast.fault_atoms(self.test.condition.expr)
        for atom in self.fault_atoms:
            threads = self.test.threads
            if atom.label is not None and not (0 <= atom.thread < len(threads)
                                               and atom.label in threads[atom.thread].labels):
                raise LitmusError.at(atom.pos, f"the condition introduces a new symbolic "
                                               f"location: P{atom.thread}:{atom.label}")
        self._readers: dict[int, Callable] = {}  # id of a target -> its reader
        self._predicates: dict[int, Callable] = {}  # id of an expression -> its predicate
        self._shown_reads = [self._reader(ref) for _, ref in self.shown]
        self._shown_locations = [location for location, _ in self.shown]
        if self.fault_atoms:
            self._shown_locations.append(FAULTS)

    def ctype(self, target) -> tuple[int, bool]:
        if isinstance(target, ast.RegRef):
            return self.prepared.type_of(ref_key(target))
        return self.prepared.type_of(target.name)

    def _reader(self, target) -> Callable:
        """A function of (registers, memory) giving the target's final value (kept per
        target): a `Number` (with the target's C type) or a symbolic value, a tuple of them
        for a whole array. A register keeps its 64 bits, a memory location the bits of its
        size, as in herd7's states."""
        reader = self._readers.get(id(target))
        if reader is None:
            reader = self._readers[id(target)] = self._new_reader(target)
        return reader

    def _new_reader(self, target) -> Callable:
        ctype = self.ctype(target)
        numbers: dict[int, Number] = {}  # the values made so far, by their bits

        def typed(value, size=64):
            if isinstance(value, CodeAddr) and value.number is not None:
                value = value.number  # an unlabelled instruction's address: herd7's number
            if not isinstance(value, int):
                return value
            bits = value & ((1 << size) - 1)
            number = numbers.get(bits)
            if number is None:
                number = numbers[bits] = Number(bits, ctype)
            return number

        if isinstance(target, ast.RegRef):
            thread = target.thread
            reg = reg_key(target.reg)

            def register(registers, memory):
                if not 0 <= thread < len(registers):
                    raise LitmusError.at(target.pos, f"thread {thread} does not exist")
                return typed(registers[thread].get(reg, 0))
            return register
        key = mem_key(target)
        arrays = self.prepared.env.arrays
        length = arrays[target.name][1] \
            if target.index is None and target.name in arrays else None
        size = ctype[0]
        layout = self.prepared.env.layout
        if layout is not None and target.name in layout.cells:
            keys = [key] if length is None else [f"{key}[{i}]" for i in range(length)]
            cells = [layout.cell_bytes(k) for k in keys]

            def assembled(registers, memory):
                values = [typed(recompose([memory[b] for b in cell]), size) for cell in cells]
                return values[0] if length is None else tuple(values)
            return assembled

        def location(registers, memory):
            if key in memory:
                return typed(memory[key], size)
            if length is not None:
                return tuple(typed(memory.get(f"{key}[{i}]", 0), size) for i in range(length))
            raise LitmusError.at(target.pos, f"location {key} is not a location of the test")
        return location

    def holds(self, expr, registers, memory, faults: tuple[Fault, ...] = ()) -> bool:
        predicate = self._predicates.get(id(expr))
        if predicate is None:
            predicate = self._predicates[id(expr)] = self._predicate(expr)
        return predicate(registers, memory, faults)

    def _predicate(self, expr) -> Callable[[list, dict, tuple], bool]:
        """A function of (registers, memory, faults) telling whether `expr` holds."""
        if isinstance(expr, ast.FaultAtom):
            return lambda registers, memory, faults: any(fault.matches(expr) for fault in faults)
        if isinstance(expr, ast.Atom):
            read = self._reader(expr.target)
            if isinstance(expr.value, (ast.RegRef, ast.MemRef)):
                other = self._reader(expr.value)
                return lambda registers, memory, faults: \
                    unmasked(read(registers, memory)) == unmasked(other(registers, memory))
            size, want = self._wanted(expr.target, expr.value)
            return lambda registers, memory, faults: \
                masked(read(registers, memory), size) == want
        if isinstance(expr, ast.Const):
            value = expr.value
            return lambda registers, memory, faults: value
        if isinstance(expr, ast.Not):
            arg = self._predicate(expr.arg)
            return lambda registers, memory, faults: not arg(registers, memory, faults)
        left, right = self._predicate(expr.left), self._predicate(expr.right)
        if isinstance(expr, ast.And):
            return lambda registers, memory, faults: \
                left(registers, memory, faults) and right(registers, memory, faults)
        if isinstance(expr, ast.Or):
            return lambda registers, memory, faults: \
                left(registers, memory, faults) or right(registers, memory, faults)
        return lambda registers, memory, faults: \
            not left(registers, memory, faults) or right(registers, memory, faults)

    def _wanted(self, target: ast.RegRef | ast.MemRef,
                value: ast.Value | tuple[ast.Value, ...]) -> tuple[int, object]:
        """(the target's size, the value an atom compares it with cut to that size): herd7
        reads both sides of `0:X0=-1` as the location's type."""
        size = self.ctype(target)[0]
        if isinstance(value, tuple):
            return size, tuple(masked(condition_value(v), size) for v in value)
        return size, masked(condition_value(value), size)

    def state(self, registers, memory, faults: tuple[Fault, ...] = ()) -> tuple:
        """The final state shown: (location, value) pairs in herd7's order, then, when the
        condition names faults, its faults (herd7's herd/top_herd.ml, restrict_faults)."""
        return self.located(self.state_values(registers, memory, faults))

    def located(self, values: tuple) -> tuple:
        """A state's `state_values` paired with their locations, as `state` gives them."""
        return tuple(zip(self._shown_locations, values))

    def state_values(self, registers, memory, faults: tuple[Fault, ...] = ()) -> tuple:
        """The values of the final state shown, without their locations (the same for
        every state of the test): a key for it that hashes in half the time."""
        values = tuple([read(registers, memory) for read in self._shown_reads])
        if self.fault_atoms:
            values += (self.faults_shown(faults),)
        for index, name in self._shown_ins:
            value = values[index]
            parts = value if isinstance(value, tuple) else (value,)
            if any(isinstance(v, Number) for v in parts):
                raise LitmusError(f"{name} is of type ins_t and ends with a number, which "
                                  f"herd7 cannot print (\"Cannot find the size of type "
                                  f"ins_t\")", self.test.file)
        return values


    def faults_shown(self, faults: tuple[Fault, ...]) -> Faults:
        """The faults some atom matches, each with the type of the first atom matching it
        when that atom gives one, then `~Fault(...)` for each atom no fault matches, last
        atom first (herd/archExtra_herd.ml, do_dump_final_state)."""
        shown, order = [], []
        for fault in faults:
            matching = [atom for atom in self.fault_atoms if fault.matches(atom)]
            if matching:
                shown.append(fault.text(matching[0].type or fault.type))
                order.append(fault.order)
        atoms = {fault_atom_order(atom): atom for atom in self.fault_atoms}  # a set
        for _, atom in sorted(atoms.items(), key=lambda item: item[0], reverse=True):
            if not any(fault.matches(atom) for fault in faults):
                labels = (atom.label,) if atom.label else ()
                shown.append("~" + fault_text(atom.thread, labels, atom.loc, atom.type))
        return Faults(tuple(shown), tuple(order))


def location_key(target: ast.RegRef | ast.MemRef) -> str:
    """A register's key (`0:X0`) or a memory location's name (`x`, `t`): what a declaration and
    a condition name alike."""
    return ref_key(target) if isinstance(target, ast.RegRef) else target.name


def prepare_test(test: ast.Test, options: Options) -> Prepared:
    """Run the threads of `test` under `options`. The test's own `Unroll=` line overrides
    --unroll, as it overrides herd7's -unroll (herd/parseTest.ml)."""
    unroll = int(test.meta.get("Unroll", options.unroll))
    prepared = prepare(test, unroll, options.variant, options.limits)
    if options.model is not None and (prepared.env.vmsa or prepared.env.memtag or any(
            ev.kind == E.FAULT for runs in prepared.runs for run in runs for ev in run.events)):
        # cat.py reads the sets of virtual memory and exceptions as empty
        raise LitmusError(not_supported("virtual memory, memory tagging and exceptions with a "
                                        "cat model",
                                        "--model"), test.file)
    return prepared


def explore_test(prepared: Prepared, engine: str, options: Options = Options()):
    """Every consistent execution's final state, as {state: [count, satisfies]}, the flags
    raised, and the loop heads (thread, label) where the unroll bound cut a run some
    candidate execution uses. Under --speedcheck, as under herd7's `-speedcheck true`
    (herd/mem.ml, worth_going), an execution whose final state cannot decide the condition
    goes no further than the filter does: no state, no count, no flag."""
    model = model_for(options, prepared.variant)
    judge = Judge(prepared)
    deciding = decides_for(prepared.test.condition.quantifier)
    test = prepared.test
    counts: dict[tuple, list] = {}
    flags: set[str] = set()
    if engine == "c":
        from .explorer import native
        evaluate_stage, explore = native.evaluate_stage, native.explore
    else:
        from .explorer import python
        evaluate_stage, explore = python.evaluate_stage, python.explore
    builder = FrameBuilder(prepared, model, evaluate_stage)
    executions, limit = 0, prepared.env.limits.max_executions
    final_checks = [] if test.filter is None else [(test.filter, True)]
    if options.speedcheck:  # herd7 then only goes on with final states that can decide
        final_checks.append((test.condition.expr, deciding(True)))
    cut_candidates = CutCandidates(prepared.init_memory, final_checks, judge.holds)
    loop_heads: set[tuple[int, str]] = set()
    finals = WholeWriteFinals(prepared)
    # Most tests have no fault: no combination of their runs is searched for one.
    may_fault = any(ev.kind == E.FAULT for runs in prepared.runs for run in runs
                    for ev in run.events)
    run_fault_lists: dict[int, list[Fault]] = {}  # the runs live as long as `prepared`
    combined = combination_flags(prepared.variant)
    for runs in combinations(prepared):
        cut = {(run.thread, run.cut) for run in runs if run.cut is not None}
        if cut:
            if not cut <= loop_heads and cut_candidates.exists(runs):
                loop_heads |= cut
            if all(run.error is None for run in runs):
                continue
        frame = builder.frame(runs)
        found = explore(frame, model)
        if not found:
            continue
        for run in runs:
            if run.error is not None:
                # herd7 reports it even when a cut run takes part. A copy is raised: its
                # traceback's frames hold the run, which holds the error kept
                raise copy.copy(run.error)
        executions += sum(found.values())
        if executions > limit:
            raise LimitError(limit_message("too many consistent executions",
                                           "--max-executions", limit), test.file)
        registers = [run.registers for run in runs]
        faults = run_faults(test, runs, run_fault_lists) if may_fault else ()
        run_flags = frozenset().union(*(run.local.flags for run in runs))
        if prepared.init_memory or any(run.instances for run in runs):
            run_flags |= combined
        for (lasts, exec_flags), count in found.items():
            if not finals.allows(frame, lasts):
                continue
            memory = final_memory(frame, lasts)
            if test.filter is not None and \
                    not judge.holds(test.filter, registers, memory, faults):
                continue
            satisfies = judge.holds(test.condition.expr, registers, memory, faults)
            if options.speedcheck and not deciding(satisfies):
                continue
            key = judge.state_values(registers, memory, faults)
            entry = counts.setdefault(key, [0, satisfies])
            entry[0] += count
            flags.update(exec_flags, run_flags)
    return {judge.located(values): entry for values, entry in counts.items()}, flags, loop_heads


def check_wanted_values(prepared: Prepared, speedcheck: bool) -> None:
    """Refuse the final values herd7 refuses to want, or wants otherwise. herd7 keeps only
    the final writes of the values that the atoms `loc=v` of a filter's conjunction, and
    under -speedcheck of an `exists` condition's, want (herd/mem.ml, wanted_final_value):
    it refuses a location wanted with two values ("Incompatible constraint on location"),
    and compares a whole array's wanted value with the writes of its first cell, never
    equal: then no write is final there, which changes nothing if no run writes there."""
    test = prepared.test
    wanted: dict[str, object] = {}
    props = [test.condition.expr] if speedcheck and test.condition.quantifier == "exists" else []
    props += [test.filter] if test.filter is not None else []
    if not props:
        return
    written = {event.loc for runs in prepared.runs for run in runs for event in run.events
               if event.kind == E.MEM_WRITE}
    for atom in (atom for prop in props for atom in conjuncts(prop)):
        if isinstance(atom.value, (ast.RegRef, ast.MemRef)):
            continue
        target = atom.target
        key = ref_key(target) if isinstance(target, ast.RegRef) else mem_key(target)
        if isinstance(target, ast.MemRef) and target.index is None \
                and key in prepared.env.arrays and f"{key}[0]" in written:
            raise LitmusError(f"herd7 compares the final writes of the first cell of array "
                              f"{key}, which a run writes, with the value wanted of the "
                              f"whole array (herd/mem.ml, wanted_final_value): pylitmus "
                              f"does not follow it", test.file)
        value = tuple(map(condition_value, atom.value)) if isinstance(atom.value, tuple) \
            else condition_value(atom.value)
        value = unmasked(value)
        if wanted.setdefault(key, value) != value:
            raise LitmusError(f"incompatible constraint on location {key}: two values wanted "
                              f"at the end (herd7 refuses it)", test.file)


def conjuncts(expr: ast.Expr) -> list[ast.Atom]:
    """The atoms `expr` requires as herd7 finds them: those of its top conjunction."""
    if isinstance(expr, ast.And):
        return conjuncts(expr.left) + conjuncts(expr.right)
    return [expr] if isinstance(expr, ast.Atom) else []


def decides_for(quantifier: str):
    """Whether an execution that does (True) or does not satisfy the condition decides
    the test: one witness decides `exists`, one counter-example decides `forall`."""
    return (lambda satisfies: not satisfies) if quantifier == "forall" else bool


class WholeWriteFinals:
    """Under the mixed variant herd7 builds each shown location's final value from whole
    writes, as it does a read's (herd/mem.ml, all_finals_mixed): it has no final state
    where two bytes of such a location end with two writes that each touch the other's
    byte. When the test has an array it takes the last write of each byte alone."""

    def __init__(self, prepared: Prepared):
        layout = prepared.env.layout
        shown = [] if layout is None or prepared.env.arrays else \
            observed_locations(prepared.test, prepared.env.arrays)
        self.groups = [layout.cell_bytes(location.name) for location, _ in shown
                       if location.thread is None and layout is not None
                       and not is_tag_location(location.name)]

    def allows(self, frame, lasts) -> bool:
        if not self.groups:
            return True
        index = frame.shape.memo.get("byte-index")
        if index is None:
            index = frame.shape.memo["byte-index"] = {
                loc: i for i, loc in enumerate(frame.writes_by_loc)}
        accesses, events = frame.shape.accesses, frame.events

        def touches(w: int, loc: str) -> bool:
            row = accesses[w]
            return any(row >> e & 1 and events[e].loc == loc for e in range(len(events)))

        for group in self.groups:
            ends = [lasts[index[loc]] for loc in group]
            for i, w in enumerate(ends):
                for j in range(i + 1, len(ends)):
                    other = ends[j]
                    if not accesses[w] >> other & 1 and touches(w, group[j]) \
                            and touches(other, group[i]):
                        return False
        return True


def final_memory(frame, lasts) -> dict:
    """Each location's value after the execution, from its coherence-last write."""
    return {loc: frame.events[w].value for loc, w in zip(frame.writes_by_loc, lasts)}


def check_test(test: ast.Test, options: Options = Options()) -> Result:
    """Check one parsed test."""
    start = time.perf_counter()
    prepared = prepare_test(test, options)
    check_wanted_values(prepared, options.speedcheck)
    engine = "python" if options.engine == "python" else _native_or_python()
    counts, flags, loop_heads = explore_test(prepared, engine, options)
    if loop_heads:  # herd7 names one head (its last candidate's); we name each, by thread
        heads = ", ".join(dict.fromkeys(label for _, label in sorted(loop_heads)))
        prepared.env.warnings.add(f'File "{test.file}": unrolling limit exceeded at {heads}, '
                                  "legal outcomes may be missing.")
    quantifier = test.condition.quantifier
    sat = sum(c for c, s in counts.values() if s)
    unsat = sum(c for c, s in counts.values() if not s)
    if quantifier == "~exists":
        positive, negative, ok = unsat, sat, sat == 0
    elif quantifier == "forall":
        positive, negative, ok = sat, unsat, unsat == 0
    else:
        positive, negative, ok = sat, unsat, sat > 0
    observation = observation_of(quantifier, sat, unsat, options.speedcheck)
    found = list(counts.items())
    orders = [state_order(item) for item in found]  # each state's key, made once
    ranks = sorted(range(len(found)), key=orders.__getitem__)
    refuse_merged_states([orders[i] for i in ranks], test)
    states = [State(key, c, s) for key, (c, s) in (found[i] for i in ranks)]
    return Result(
        file=test.file, name=test.name, kind=KINDS[quantifier], quantifier=quantifier,
        states=states, positive=positive, negative=negative, ok=ok,
        observation=observation, flags=sorted(flags), warnings=sorted(prepared.env.warnings),
        variant=sorted(prepared.variant), engine=engine,
        seconds=time.perf_counter() - start, condition_tree=test.condition.expr,
        loop=bool(loop_heads))


def observation_of(quantifier: str, sat: int, unsat: int, speedcheck: bool) -> str:
    """Always, Sometimes or Never, from the executions that do (`sat`) and do not satisfy
    the condition. Under -speedcheck herd7 has not counted the executions that cannot
    decide, so it never says Always of `exists`/`~exists`, nor Never of `forall`
    (herd/top_herd.ml, observation)."""
    if speedcheck and quantifier == "forall":
        return "Always" if unsat == 0 else "Sometimes"
    if speedcheck:
        return "Never" if sat == 0 else "Sometimes"
    return "Never" if sat == 0 else "Always" if unsat == 0 else "Sometimes"


def state_order(item) -> tuple:
    """herd7's order of final states: by their values, location by location."""
    return tuple(value.order if is_faults(location) else herd_order(value)
                 for location, value in item[0])


def refuse_merged_states(orders: list[tuple], test: ast.Test) -> None:
    """herd7 keeps one of two final states it orders alike, and it orders PAR_EL1 values
    by their fault flag alone: pylitmus refuses states that differ only in the output
    addresses of PAR_EL1 values. `orders` are the states' `state_order` keys, sorted."""
    for one, other in zip(orders, orders[1:]):
        if one == other:
            raise LitmusError("final states that differ only in the output addresses of "
                              "PAR_EL1 values (which herd7 does not tell apart) are not "
                              "supported yet", test.file)


@functools.cache  # the answer cannot change in a process
def _native_or_python() -> str:
    try:
        from .explorer import native  # noqa: F401
        return "c"
    except ImportError:
        return "python"
