"""JSON Lines output: one object per test, written and flushed as each test is reported.

The objects are described by docs/json-schema.json.
"""

from __future__ import annotations

import json

from pylitmus.checker import location_name, show_atom_value
from pylitmus.frontend import ast
from pylitmus.report.runner import Outcome
from pylitmus.report.stream import StreamReporter

ARCH = "AArch64"
OPERATORS = {ast.And: "and", ast.Or: "or", ast.Implies: "implies"}


def condition_tree(expr) -> dict:
    """The condition's syntax tree as plain data. `and`/`or` chains become one node."""
    if isinstance(expr, ast.Atom):
        value = expr.value
        shown = ([show_atom_value(v) for v in value] if isinstance(value, tuple)
                 else show_atom_value(value))
        return {"op": "atom", "location": location_name(expr.target), "value": shown}
    if isinstance(expr, ast.Const):
        return {"op": "const", "value": expr.value}
    if isinstance(expr, ast.Not):
        return {"op": "not", "args": [condition_tree(expr.arg)]}
    op = OPERATORS[type(expr)]
    if op == "implies":
        return {"op": op, "args": [condition_tree(expr.left), condition_tree(expr.right)]}
    return {"op": op, "args": [condition_tree(e) for e in _chain(expr, type(expr))]}


def _chain(expr, kind) -> list:
    if isinstance(expr, kind):
        return _chain(expr.left, kind) + _chain(expr.right, kind)
    return [expr]


def outcome_record(outcome: Outcome) -> dict:
    """The JSON object for one test."""
    record: dict = {"file": outcome.file, "status": outcome.status}
    if outcome.failure is not None:
        failure = outcome.failure
        record["error"] = {"message": failure.message, "file": failure.file,
                           "line": failure.line, "column": failure.col}
        return record
    result = outcome.result
    expectation = outcome.expectation
    record.update({
        "test": result.name,
        "arch": ARCH,
        "variant": list(result.variant),
        "condition": {"text": result.condition, "tree": condition_tree(result.condition_tree)},
        "kind": result.kind,
        "observation": result.observation,
        "ok": result.ok,
        "loop": result.loop,
        "positive": result.positive,
        "negative": result.negative,
        "states": [{"values": dict(state.values), "executions": state.executions,
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
        self.out.write(json.dumps(outcome_record(outcome)) + "\n")
        self.out.flush()
