"""One execution of a test, rebuilt with what the model says about it.

The engines count final states and keep no execution. To explain an outcome, the test is
explored once more here, in Python, up to the first candidate execution whose final state
is the one wanted: a consistent execution when the model allows that state; otherwise a
candidate the model rejects, with the check it fails and, for an acyclicity check, a
shortest cycle. The model's execution stage is kept for that one execution, so `ob` and
the other relations can be read from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pylitmus.checker import Judge, Options, final_memory, model_for, prepare_test, run_faults
from pylitmus.explorer import frame as F
from pylitmus.explorer.combine import combinations
from pylitmus.explorer.python import candidates, last_writes
from pylitmus.explorer.spurious import is_spurious
from pylitmus.frontend import ast
from pylitmus.frontend.parser import parse_expression
from pylitmus.model import evaluate as V
from pylitmus.model import program as P
from pylitmus.semantics import events as E

# Parts of the model's ordered-before, most telling first: an `ob` edge is named after the
# first of these that holds it (thread-stage names first, then execution-stage names).
THREAD_OB_PARTS = ("dob", "bob", "aob", "pob", "f-ob", "intr-ob", "DSB-ob", "IFB-ob",
                   "po-scl-ob", "lmws", "pick-lob")
EXECUTION_OB_PARTS = ("Exp-haz-ob", "IC-ob", "IC-after", "DC-after", "IC-ca")


def parse_state(text: str) -> ast.Expr:
    """A state as written in a condition (`0:X0=1 /\\ x=2`) or as herd prints one
    (`0:X0=1; x=2;`)."""
    if ";" in text and "/\\" not in text:
        text = " /\\ ".join(part.strip() for part in text.split(";") if part.strip())
    return parse_expression(text, "--state")


@dataclass
class Execution:
    """A candidate execution: a frame with its read-from and coherence choices, and the
    model's execution stage evaluated on it (`slots`). `failed` lists the checks it fails:
    empty for a consistent execution."""

    frame: F.Frame
    model: P.Model
    registers: list[dict]
    memory: dict
    state: tuple
    rf: list[int]
    co: list[int]
    slots: list
    failed: list[P.Check]
    _thread_slots: dict = field(default_factory=dict, repr=False)
    _thread_of: list[int] | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return self.frame.n

    @property
    def consistent(self) -> bool:
        return not self.failed

    def relation(self, name: str) -> list[int]:
        """A relation of the execution stage, by name: rf, co, fr, po, ob, ..."""
        return self.slots[self.model.execution.names[name]]

    def has(self, name: str, a: int, b: int) -> bool:
        return bool(self.relation(name)[a] >> b & 1)

    def source(self, read: int) -> int:
        """The write a read reads from."""
        return next(w for w in range(self.n) if self.rf[w] >> read & 1)

    def thread(self, event: int) -> int:
        """The event's thread, -1 for an initial write."""
        if self._thread_of is None:
            self._thread_of = [-1] * self.n
            where = {id(ev): i for i, ev in enumerate(self.frame.events)}
            for t, run in enumerate(self.frame.runs):
                for ev in run.events:
                    if id(ev) in where:
                        self._thread_of[where[id(ev)]] = t
        return self._thread_of[event]

    def thread_name(self, thread: int) -> str:
        """How reports name a thread: `init` (initial writes), `hw` (spurious updates), Pn."""
        if thread < 0:
            return "init"
        return "hw" if is_spurious(self.frame.runs[thread]) else f"P{thread}"

    def instruction(self, event: int) -> E.InstanceInfo | None:
        thread = self.thread(event)
        if thread < 0:
            return None
        return self.frame.runs[thread].instances[self.frame.events[event].instance]

    def ob_part(self, a: int, b: int) -> str:
        """Which part of the model puts an `ob` edge a -> b (or rf, co, fr)."""
        for name in ("rf", "co", "fr"):
            if self.has(name, a, b):
                return name
        thread = self.thread(a)
        if thread >= 0 and thread == self.thread(b):
            found = self._thread_relations(thread)
            for name in THREAD_OB_PARTS:
                if (a, b) in found.get(name, ()):
                    return name
        for name in EXECUTION_OB_PARTS:
            if name in self.model.execution.names and self.has(name, a, b):
                return name
        return "ob"

    def _thread_relations(self, thread: int) -> dict[str, set[tuple[int, int]]]:
        """The thread stage's parts of `ob` for one thread, as pairs of frame events."""
        found = self._thread_slots.get(thread)
        if found is None:
            run = self.frame.runs[thread]
            stage = self.model.thread
            slots = V.evaluate_stage(stage, F.thread_inputs(run), len(run.events))
            where = {id(ev): i for i, ev in enumerate(self.frame.events)}
            placed = {k: where.get(id(ev)) for k, ev in enumerate(run.events)}
            found = {}
            for name in THREAD_OB_PARTS:
                if name in stage.names:
                    rows = slots[stage.names[name]]
                    found[name] = {(placed[i], placed[j]) for i, row in enumerate(rows)
                                   for j in V.bits(row)
                                   if placed[i] is not None and placed[j] is not None}
            self._thread_slots[thread] = found
        return found

    def cycle(self) -> list[int] | None:
        """A shortest cycle of the first failed acyclicity check's relation, if any."""
        for check in self.failed:
            if check.kind == "acyclic":
                return shortest_cycle(self.slots[check.slot])
        return None


def shortest_cycle(rows: list[int]) -> list[int] | None:
    """The events of a shortest cycle of a relation (breadth first from each event)."""
    best: list[int] | None = None
    for start in range(len(rows)):
        parent: dict[int, int | None] = {start: None}
        frontier = [start]
        found = False
        while frontier and not found:
            following = []
            for a in frontier:
                if rows[a] >> start & 1:
                    path = [a]
                    step = parent[a]
                    while step is not None:
                        path.append(step)
                        step = parent[step]
                    path.reverse()
                    if best is None or len(path) < len(best):
                        best = path
                    found = True
                    break
                for b in V.bits(rows[a]):
                    if b not in parent:
                        parent[b] = a
                        following.append(b)
            frontier = following
    return best


def search(prepared, model: P.Model, wanted) -> tuple[Execution | None, Execution | None]:
    """(the first consistent execution whose final registers and memory satisfy
    `wanted(registers, memory, faults)`, or None; when there is none, the first candidate that
    does, which the model rejects under every choice it makes, or None)."""
    judge = Judge(prepared)
    make_frame = F.FrameBuilder(prepared, model).frame
    rejected = None
    for runs in combinations(prepared):
        if any(run.error is not None or run.cut is not None for run in runs):
            continue  # such an execution is reported as an error, or dropped (loop bound)
        frame = make_frame(runs)
        registers = [run.registers for run in runs]
        faults = run_faults(prepared.test, runs)
        for rf, co, slots, failed in candidates(frame, model):
            if failed and rejected is not None:
                continue
            memory = final_memory(frame, last_writes(frame, co))
            if not wanted(registers, memory, faults):
                continue
            execution = Execution(frame, model, registers, memory,
                                  judge.state(registers, memory, faults), rf, co, list(slots),
                                  failed)
            if not failed:
                return execution, None
            rejected = execution
    return None, rejected


@dataclass
class Witness:
    """What `--explain` and `--graph` show for one test.

    `goal` says what was looked for: "state" (the `expr` given), "witness" (of the
    condition `quantifier expr`) or "first" (the first final state, the condition never
    holding); `execution` is the execution explained (consistent, or rejected when the
    goal is a state no consistent execution reaches); `rejected` is a candidate reaching
    the goal that the model rejects, when no consistent one does."""

    name: str
    goal: str
    expr: ast.Expr
    quantifier: str
    execution: Execution | None
    rejected: Execution | None = None
    note: str = ""


def find_witness(test: ast.Test, options: Options = Options(), state: ast.Expr | None = None,
                 first_state: tuple | None = None) -> Witness:
    """The execution to explain: one reaching `state` when given, else a witness of the
    condition, else (the condition never holds) one reaching `first_state` (the values of
    the report's first `State`), with the rejected candidate that would satisfy the
    condition."""
    prepared = prepare_test(test, options)
    model = model_for(options, prepared.variant)
    judge = Judge(prepared)

    def satisfying(expr):
        def wanted(registers, memory, faults):
            if test.filter is not None and \
                    not judge.holds(test.filter, registers, memory, faults):
                return False
            return judge.holds(expr, registers, memory, faults)
        return wanted

    quantifier, condition = test.condition.quantifier, test.condition.expr
    if state is not None:
        found, rejected = search(prepared, model, satisfying(state))
        note = "" if found or rejected else "no candidate execution reaches this state"
        return Witness(test.name, "state", state, quantifier, found or rejected, rejected,
                       note)
    found, rejected = search(prepared, model, satisfying(condition))
    if found is not None:
        return Witness(test.name, "witness", condition, quantifier, found)
    note = ("the condition never holds: no candidate execution satisfies it"
            if rejected is None else "the condition never holds")
    anything = satisfying(ast.Const(True))

    def first(registers, memory, faults):
        return anything(registers, memory, faults) and (
            first_state is None or judge.state(registers, memory, faults) == first_state)

    shown, _ = search(prepared, model, first)
    return Witness(test.name, "first", condition, quantifier, shown, rejected, note)
