"""`--explain`: how an execution can happen, as an interleaving of its memory events.

The steps are the execution's memory events (reads, writes, instruction fetches, cache
maintenance) sorted topologically by the model's ordered-before (`ob`) joined with rf, co
and fr, ties going to the lower thread, then to program order. A step placed before a step
its own thread runs earlier in program order ran ahead of program order: it is marked.
A read whose write is not yet placed took its value from its own thread's pending write
(forwarding); a read placed after a newer write to its location read an older value.
"""

from __future__ import annotations

from pylitmus.model import evaluate as V
from pylitmus.report.herdtext import condition_text, proposition_text, state_text
from pylitmus.semantics import annotations as A
from pylitmus.semantics import events as E
from pylitmus.semantics.values import herd_text
from pylitmus.witness import Execution, Witness

AHEAD = "*"


def value_text(value) -> str:
    return " ".join(herd_text(value).split())


def goal_text(witness: Witness, hexa: bool = False) -> str:
    """What the explanation looks for: `a witness of exists (...)`, `the state (...)`."""
    if witness.goal == "state":
        return f"the state ({proposition_text(witness.expr, hexa)})"
    if witness.goal == "witness":
        return f"a witness of {condition_text(witness.quantifier, witness.expr, hexa)}"
    return "the first final state"


def is_fetch(ev: E.Event) -> bool:
    return ev.kind == E.MEM_READ and "Instr" in ev.sets and "Exp" not in ev.sets


def initial_code(execution: Execution) -> dict[str | None, tuple[object, str]]:
    """Code locations fetched: location -> (initial instruction, its source text)."""
    events = execution.frame.events
    initial = {events[w].loc: events[w].value for w in range(execution.n)
               if execution.thread(w) < 0}
    return {events[e].loc: (initial[events[e].loc], instruction_text(execution, e))
            for e in range(execution.n) if is_fetch(events[e])}


def shown_value(execution: Execution, loc: str | None, value) -> str:
    """A value; the test's own text for the instruction a code location starts with."""
    code = initial_code(execution).get(loc)
    if code is not None and code[0] == value:
        return code[1]
    return value_text(value)


def event_text(execution: Execution, event: int) -> str:
    """`R x = 0`, `W y = 1`, `fetch P1:L0 = B out1`, `DC CVAU P1:L0`, and under virtual
    memory `R PTE(x) = (oa:PA(x)) TTD` (a translation read; `TTD AF+DB` when atomic with a
    hardware update of those flags), `W PTE(x) = (oa:PA(x)) HU AF+DB` (the update),
    `Fault x D-MMU:Translation`, `TLBI VAAE1IS TLB(x)`."""
    ev = execution.frame.events[event]
    if ev.kind == E.FAULT:
        return f"Fault {ev.loc} {ev.value}"
    if ev.kind == E.TLBI:
        return " ".join(["TLBI", str(ev.value), ev.loc or ""]).strip()
    if "TTD" in ev.sets and "Exp" not in ev.sets:
        role = "HU" if ev.kind == E.MEM_WRITE else "TTD"
        flags = "+".join(flag for flag in ("AF", "DB") if flag in ev.sets)
        return f"{ev.kind} {ev.loc} = {value_text(ev.value)} {role} {flags}".rstrip()
    if ev.kind == E.CACHE_OP:
        op = next((name for name in A.CACHE_OPERATIONS if name in ev.sets), "cache op")
        return " ".join([op.replace(".", " "), ev.loc or ""]).strip()
    kind = "fetch" if is_fetch(ev) else ev.kind
    return f"{kind} {ev.loc} = {shown_value(execution, ev.loc, ev.value)}"


def thread_name(execution: Execution, event: int) -> str:
    return execution.thread_name(execution.thread(event))


def instruction_text(execution: Execution, event: int) -> str:
    info = execution.instruction(event)
    return "" if info is None else " ".join(info.text.split())


def line_of(execution: Execution, event: int) -> int | None:
    info = execution.instruction(event)
    return None if info is None else info.line


def describe(execution: Execution, event: int) -> str:
    """`P0 W x = 1 (line 9)`, or `the initial x = 0`."""
    ev = execution.frame.events[event]
    if execution.thread(event) < 0:
        return f"the initial {ev.loc} = {shown_value(execution, ev.loc, ev.value)}"
    return (f"{thread_name(execution, event)} {event_text(execution, event)}"
            f" (line {line_of(execution, event)})")


def interleaving(execution: Execution) -> list[int]:
    """The execution's events in an order the model allows (initial writes first)."""
    n = execution.n
    ob = execution.relation("ob")
    order = [o | r | c | f for o, r, c, f in zip(ob, execution.rf, execution.co,
                                                   execution.relation("fr"))]
    before = V.inverse(order, n)
    ob_before = V.inverse(ob, n)
    left = (1 << n) - 1
    placed = []
    while left:
        # Every predecessor placed; else (a read forwarded from a pending write) every ob
        # predecessor placed; else (ob has a cycle: a rejected candidate) anything.
        ready = ([e for e in V.bits(left) if not before[e] & left]
                 or [e for e in V.bits(left) if not ob_before[e] & left]
                 or list(V.bits(left)))
        placed.append(ready[0])
        left &= ~(1 << ready[0])
    return placed


def step_notes(execution: Execution, order: list[int]) -> dict[int, list[str]]:
    """Per event: ahead of program order, read-from, coherence."""
    events = execution.frame.events
    po = execution.relation("po")
    co = execution.co
    position = {e: k for k, e in enumerate(order)}
    step = {e: k + 1 for k, e in enumerate(e for e in order if execution.thread(e) >= 0)}

    def name(e):
        return f"the initial {events[e].loc}" if e not in step else f"step {step[e]}"

    po_before = V.inverse(po, execution.n)
    co_before = V.inverse(co, execution.n)

    def co_successors(w):
        return bin(co[w]).count("1")

    notes: dict[int, list[str]] = {e: [] for e in step}
    for e in step:
        ev = events[e]
        overtaken = [d for d in V.bits(po_before[e]) if position[d] > position[e]]
        if overtaken:
            first = min(overtaken)
            notes[e].append(f"{AHEAD} ahead of program order: before {event_text(execution, first)}"
                            f" (line {line_of(execution, first)}, {name(first)})")
        if ev.kind == E.MEM_READ:
            w = execution.source(e)
            what = "fetches" if is_fetch(ev) else "reads"
            if execution.thread(w) < 0:
                notes[e].append(f"{what} the initial value")
            elif position[w] > position[e]:
                notes[e].append(f"{what} from {name(w)}, its own thread's write, before that "
                                f"write reaches memory")
            else:
                notes[e].append(f"{what} from {name(w)}")
            newer = [x for x in V.bits(co[w]) if position[x] < position[e]]
            if newer:
                x = max(newer, key=position.__getitem__)
                notes[e].append(f"an old value: {name(x)} ({event_text(execution, x)}) came first")
        elif ev.kind == E.MEM_WRITE:
            earlier = list(V.bits(co_before[e]))
            if earlier:
                notes[e].append(f"co: after {name(min(earlier, key=co_successors))}")
    return notes


def coherence_lines(execution: Execution) -> list[str]:
    """Each location's writes in coherence order."""
    lines = []
    events = execution.frame.events
    for loc, writes in execution.frame.writes_by_loc.items():
        if len(writes) < 2:
            continue
        ordered = sorted(writes, key=lambda w: -bin(execution.co[w]).count("1"))
        chain = " -> ".join(
            f"{thread_name(execution, w)} {shown_value(execution, loc, events[w].value)}"
            for w in ordered)
        lines.append(f"  {loc}: {chain}")
    return lines


def rejection_lines(execution: Execution) -> list[str]:
    """Why the model rejects a candidate: the checks it fails, a cycle of ob."""
    lines = [f"Rejected by the model's check{'s' if len(execution.failed) > 1 else ''} "
             + ", ".join(f"{c.name} ({c.kind})" for c in execution.failed) + "."]
    cycle = execution.cycle()
    if cycle:
        lines.append("Cycle:")
        for k, a in enumerate(cycle):
            b = cycle[(k + 1) % len(cycle)]
            lines.append(f"  {describe(execution, a)}  --{execution.ob_part(a, b)}-->")
        lines.append(f"  {describe(execution, cycle[0])}")
    return lines


def steps_table(execution: Execution) -> list[str]:
    order = interleaving(execution)
    notes = step_notes(execution, order)
    rows = [("step", "thread", "event", "instruction", "line", "")]
    for e in (e for e in order if execution.thread(e) >= 0):
        rows.append((str(len(rows)), thread_name(execution, e),
                     event_text(execution, e), instruction_text(execution, e),
                     str(line_of(execution, e)), "; ".join(notes[e])))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for row in rows:
        cells = [row[0].rjust(widths[0]), *(c.ljust(w) for c, w in zip(row[1:5], widths[1:]))]
        lines.append(("  ".join(cells) + "  " + row[5]).rstrip())
    return lines


def initial_text(execution: Execution) -> str:
    events = execution.frame.events
    return "; ".join(
        f"{events[w].loc} = {shown_value(execution, events[w].loc, events[w].value)}"
        for w in range(execution.n) if execution.thread(w) < 0)


def explain(witness: Witness, hexa: bool = False) -> str:
    """The text `--explain` prints for one test; `hexa` prints states' numbers in
    hexadecimal."""
    lines = [f"Explaining {witness.name}: {goal_text(witness, hexa)}"]
    if witness.note:
        lines.append(f"  ({witness.note})")
    execution = witness.execution
    if execution is None:
        lines.append("No execution to explain.")
        return "\n".join(lines) + "\n"
    reached = state_text(execution.state, hexa)
    if execution.consistent:
        lines.append(f"An execution the model allows, reaching {reached}")
    else:
        lines.append(f"No execution the model allows reaches it; a rejected candidate reaching"
                     f" {reached} (events in an order ob would need):")
    lines.append(f"Initially: {initial_text(execution)}")
    lines += steps_table(execution)
    lines.append(f"{AHEAD} runs ahead of program order")
    co = coherence_lines(execution)
    if co:
        lines.append("Coherence order:")
        lines += co
    rejected = witness.rejected
    if rejected is not None:
        if rejected is not execution:
            lines.append(f"The condition's state {state_text(rejected.state, hexa)} is only "
                         f"reached by candidates the model rejects, such as:")
            lines += ["  " + line for line in steps_table(rejected)]
        lines += rejection_lines(rejected)
    return "\n".join(lines) + "\n"
