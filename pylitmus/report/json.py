"""JSON Lines output: one object per test, written and flushed as each test is reported.

The objects are described by docs/json-schema.json.
"""

from __future__ import annotations

import json

from pylitmus.frontend import ast
from pylitmus.report.herdtext import atom_value_text, condition_text, ref_text, state_values
from pylitmus.report.runner import Outcome
from pylitmus.report.stream import StreamReporter

ARCH = "AArch64"
OPERATORS = {ast.And: "and", ast.Or: "or", ast.Implies: "implies"}


def condition_tree(expr, hexa: bool = False) -> dict:
    """The condition's syntax tree as plain data. `and`/`or` chains become one node."""
    if isinstance(expr, ast.Atom):
        value = expr.value
        if isinstance(value, (ast.RegRef, ast.MemRef)):
            return {"op": "same", "locations": [ref_text(expr.target), ref_text(value)]}
        shown = ([atom_value_text(v, hexa) for v in value] if isinstance(value, tuple)
                 else atom_value_text(value, hexa))
        return {"op": "atom", "location": ref_text(expr.target, isinstance(value, tuple)),
                "value": shown}
    if isinstance(expr, ast.FaultAtom):
        return {"op": "fault", "thread": expr.thread, "label": expr.label,
                "location": expr.loc, "type": expr.type}
    if isinstance(expr, ast.Const):
        return {"op": "const", "value": expr.value}
    if isinstance(expr, ast.Not):
        return {"op": "not", "args": [condition_tree(expr.arg, hexa)]}
    op = OPERATORS[type(expr)]
    if op == "implies":
        return {"op": op, "args": [condition_tree(expr.left, hexa),
                                   condition_tree(expr.right, hexa)]}
    return {"op": op, "args": [condition_tree(e, hexa) for e in _chain(expr, type(expr))]}


def _chain(expr, kind) -> list:
    if isinstance(expr, kind):
        return _chain(expr.left, kind) + _chain(expr.right, kind)
    return [expr]


def outcome_record(outcome: Outcome, hexa: bool = False) -> dict:
    """The JSON object for one test; `hexa` prints numbers in hexadecimal."""
    record: dict = {"file": outcome.file, "status": outcome.status}
    if outcome.failure is not None:
        failure = outcome.failure
        record["error"] = {"message": failure.message, "file": failure.file,
                           "line": failure.line, "column": failure.col}
        return record
    result = outcome.verdict
    expectation = outcome.expectation
    record.update({
        "test": result.name,
        "arch": ARCH,
        "variant": list(result.variant),
        "condition": {"text": condition_text(result.quantifier, result.condition_tree, hexa),
                      "tree": condition_tree(result.condition_tree, hexa)},
        "kind": result.kind,
        "observation": result.observation,
        "ok": result.ok,
        "loop": result.loop,
        "positive": result.positive,
        "negative": result.negative,
        "states": [{"values": dict(state_values(state.values, hexa)),
                    "executions": state.executions,
                    "satisfies": state.satisfies} for state in result.states],
        "flags": list(result.flags),
        "warnings": list(result.warnings),
        "expectation": None if expectation is None else {
            "expected": expectation.expected, "matches": expectation.matches},
        "time": round(result.seconds, 6),
        "engine": result.engine,
    })
    return record


class JsonReporter(StreamReporter):
    """Writes one JSON line per test to `out`; error messages also go to `err`."""

    def show(self, outcome: Outcome) -> None:
        if outcome.failure is not None:
            print(outcome.failure.text, file=self.err)
        self.out.write(json.dumps(outcome_record(outcome, self.hexa)) + "\n")
        self.out.flush()
