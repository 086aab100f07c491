"""herd7's text for locations, final states and conditions, for every reporter.

Values print by `pylitmus.semantics.values.herd_text`; `hexa` is herd7's -hexa, which
prints numbers, in states and in the condition alike, in hexadecimal.
"""

from __future__ import annotations

from pylitmus.checker import condition_value
from pylitmus.frontend import ast
from pylitmus.result import Location, is_faults
from pylitmus.semantics.machine import ref_key
from pylitmus.semantics.values import herd_text, literal

# What an operator of the condition is under, to decide on brackets (herd7's
# lib/constrGen.ml, pp_prop): the top, a conjunction, a disjunction or an implication.
TOP, AND, OR, IMPLIES = "top", "and", "or", "implies"
# (above, here) pairs needing brackets: `a /\ (b \/ c)`, `(a /\ b) => c`, ...
BRACKETED = {(AND, OR), (AND, IMPLIES), (OR, IMPLIES), (IMPLIES, AND), (IMPLIES, OR)}
OPERATORS = {ast.And: (AND, " /\\ "), ast.Or: (OR, " \\/ "), ast.Implies: (IMPLIES, " => ")}


def location_text(location: Location) -> str:
    """`0:X0`, `[x]`, `t[1]`, or a whole array bare: `t`; `faults` for a state's faults."""
    if is_faults(location):
        return location.name
    if location.thread is not None:
        return f"{location.thread}:{location.name}"
    if location.index is not None:
        return f"{location.name}[{location.index}]"
    return location.name if location.array else f"[{location.name}]"


def state_values(values, hexa: bool = False) -> list[tuple[str, str]]:
    """A final state's (location, value) pairs as herd7 prints them."""
    return [(location_text(location), herd_text(value, hexa)) for location, value in values]


def state_text(values, hexa: bool = False) -> str:
    """`0:X0=1; [x]=2;`: a final state's line. Its faults come last, as herd7 writes them
    (herd/archExtra_herd.ml, do_dump_final_state): after a space, those shown, then each
    `~Fault(...);` after a space of its own, so `0:X0=1;  ~Fault(P0);` when none is shown."""
    text = " ".join(f"{location_text(location)}={herd_text(value, hexa)};"
                    for location, value in values if not is_faults(location))
    for location, faults in values:
        if is_faults(location):
            text += " " + " ".join(f"{fault};" for fault in faults.shown if fault[0] != "~") \
                + "".join(f" {fault};" for fault in faults.shown if fault[0] == "~")
    return text


def condition_text(quantifier: str, expr: ast.Expr, hexa: bool = False) -> str:
    """herd7's Condition line without its first word: `exists (0:X0=1 /\\ [x]=2)`."""
    return f"{quantifier} ({proposition_text(expr, hexa)})"


def proposition_text(expr: ast.Expr, hexa: bool = False, above: str = TOP) -> str:
    """A proposition as herd7 prints it: `not (...)`, brackets only where precedence needs
    them."""
    if isinstance(expr, ast.Atom):
        return atom_text(expr, hexa)
    if isinstance(expr, ast.FaultAtom):
        return fault_text(expr, "fault")
    if isinstance(expr, ast.Const):
        return "true" if expr.value else "false"
    if isinstance(expr, ast.Not):
        return f"not ({proposition_text(expr.arg, hexa)})"
    here, word = OPERATORS[type(expr)]
    text = (proposition_text(expr.left, hexa, here) + word
            + proposition_text(expr.right, hexa, here))
    return f"({text})" if (above, here) in BRACKETED else text


def atom_text(atom: ast.Atom, hexa: bool = False) -> str:
    """`0:X0=1`, `[x]=2`, `t[1]=2`, `t={1,2}`, `[x]=1:X7`."""
    value = atom.value
    if isinstance(value, (ast.RegRef, ast.MemRef)):
        return f"{ref_text(atom.target)}={ref_text(value)}"
    bare = isinstance(value, tuple)  # an array's name prints bare beside its values
    return f"{ref_text(atom.target, bare)}={atom_value_text(value, hexa)}"


def fault_text(atom: ast.FaultAtom, word: str = "Fault") -> str:
    """`fault(P0:L0,x,MMU:Translation)`: a fault atom as herd7 prints it."""
    thread = f"P{atom.thread}" + (f":{atom.label}" if atom.label else "")
    parts = [thread] + [part for part in (atom.loc, atom.type) if part]
    return f"{word}({','.join(parts)})"


def ref_text(ref: ast.RegRef | ast.MemRef, bare: bool = False) -> str:
    """A location named in a condition: `0:X0` (W and X registers alike), `[x]`, `t[1]`."""
    if isinstance(ref, ast.RegRef):
        if ref.thread is None:
            return ref.reg
        return ref_key(ref)
    if ref.index is not None:
        return f"{ref.name}[{ref.index}]"
    return ref.name if bare else f"[{ref.name}]"


def atom_value_text(value, hexa: bool = False) -> str:
    """A value written in a condition, as herd7 prints it back: numbers as 64-bit
    integers (`0xffffffff` prints 4294967295, `-1` with -hexa 0xffffffffffffffff)."""
    if isinstance(value, tuple):
        return "{" + ",".join(atom_value_text(v, hexa) for v in value) + "}"
    if isinstance(value, ast.Int):
        return herd_text(literal(value.value), hexa)
    return herd_text(condition_value(value), hexa)
