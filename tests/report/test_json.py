"""JSON Lines records, their condition trees, and the schema in docs/."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from pylitmus.frontend import ast, parse_text
from pylitmus.report.expect import Expectation
from pylitmus.report.json import JsonReporter, condition_tree, outcome_record
from tests.report.schema import errors

SCHEMA = json.loads((Path(__file__).parents[2] / "docs" / "json-schema.json").read_text())


def tree_of(condition: str) -> dict:
    text = f"AArch64 T\n{{ x=0; }}\nP0 ;\n NOP ;\n{condition}\n"
    return condition_tree(parse_text(text, "t.litmus").condition.expr)


def test_and_chains_become_one_node() -> None:
    assert tree_of("exists (0:X0=1 /\\ [x]=2 /\\ 0:W3=x)") == {"op": "and", "args": [
        {"op": "atom", "location": "0:X0", "value": "1"},
        {"op": "atom", "location": "[x]", "value": "2"},
        {"op": "atom", "location": "0:X3", "value": "x"}]}


def test_not_or_implies_and_constants() -> None:
    tree = tree_of("forall (~0:X0=1 \\/ (true => [x]=0))")
    assert tree == {"op": "or", "args": [
        {"op": "not", "args": [{"op": "atom", "location": "0:X0", "value": "1"}]},
        {"op": "implies", "args": [{"op": "const", "value": True},
                                   {"op": "atom", "location": "[x]", "value": "0"}]}]}


def test_array_values_become_lists() -> None:
    """An array compared as a whole is named bare, as herd7 prints `x={1,0}`."""
    target = ast.MemRef("t", None, ast.Pos("t.litmus", 1, 1))
    atom = ast.Atom(target, (ast.Int(1), ast.Sym("x")))
    assert condition_tree(atom) == {"op": "atom", "location": "t", "value": ["1", "x"]}


def test_two_locations_compared() -> None:
    tree = tree_of("exists (1:X4=P1:X7 /\\ [x]=0:X1)")
    assert tree == {"op": "and", "args": [{"op": "same", "locations": ["1:X4", "1:X7"]},
                                          {"op": "same", "locations": ["[x]", "0:X1"]}]}
    assert errors(tree, SCHEMA["$defs"]["expr"], SCHEMA) == []


def test_hexa_prints_numbers_in_hexadecimal(mp_outcome) -> None:
    record = outcome_record(mp_outcome, hexa=True)
    assert record["condition"]["text"] == "exists (1:X2=0x1 /\\ 1:X0=0x0)"
    assert record["condition"]["tree"]["args"][0]["value"] == "0x1"
    assert record["states"][1]["values"] == {"1:X0": "0x0", "1:X2": "0x1"}


def test_verdict_record(mp_outcome) -> None:
    record = outcome_record(mp_outcome)
    assert errors(record, SCHEMA, SCHEMA) == []
    assert record["test"] == "MP" and record["arch"] == "AArch64"
    assert (record["observation"], record["positive"], record["negative"]) == ("Sometimes", 1, 3)
    assert record["states"][1] == {"values": {"1:X0": "0", "1:X2": "1"}, "executions": 1,
                                   "satisfies": True}
    assert record["expectation"] is None and "error" not in record


def test_expectation_and_failure_records(mp_outcome, failed_outcome) -> None:
    mp_outcome.expectation = Expectation("Allowed", True)
    record = outcome_record(mp_outcome)
    mp_outcome.expectation = None
    assert record["expectation"] == {"expected": "Allowed", "matches": True}
    failure = outcome_record(failed_outcome)
    assert failure == {"file": "bad.litmus", "status": "error", "error": {
        "message": "unexpected token", "file": "bad.litmus", "line": 3, "column": 5}}
    for value in (record, failure):
        assert errors(value, SCHEMA, SCHEMA) == []


@pytest.mark.parametrize("broken", [
    {"file": "f", "status": "error"},
    {"file": "f", "status": "ok", "error": {"message": "m", "file": "f", "line": 0,
                                             "column": 0}},
])
def test_validator_rejects_broken_records(broken) -> None:
    assert errors(broken, SCHEMA, SCHEMA)


def test_reporter_writes_one_line_per_test(mp_outcome, failed_outcome) -> None:
    out, err = io.StringIO(), io.StringIO()
    reporter = JsonReporter(out, err)
    reporter.show(mp_outcome)
    reporter.show(failed_outcome)
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["status"] for line in lines] == ["ok", "error"]
    assert err.getvalue().startswith("bad.litmus:3:5: unexpected token")
