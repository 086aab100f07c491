"""The model language: compilation, evaluation, and the Arm model's structure."""

from __future__ import annotations

import pytest

from pylitmus.model import evaluate as V
from pylitmus.model import program as P


def run(text: str, inputs: dict, n: int, name: str):
    model = P.compile_model("stage thread\n" + text)
    slots = V.evaluate_stage(model.thread, inputs, n)
    return slots[model.thread.names[name]]


def test_precedence_follows_cat():
    # `;` binds looser than `&`: po & same-loc ; po reads (po & same-loc) ; po
    po = [0b110, 0b100, 0]
    loc = [0b010, 0, 0]
    got = run("let r = po & same-loc; po", {"po": po, "same-loc": loc}, 3, "r")
    assert got == [0b100, 0, 0]


def test_closure_identity_domain_range():
    po = [0b010, 0b100, 0]
    assert run("let r = po+", {"po": po}, 3, "r") == [0b110, 0b100, 0]
    assert run("let s = domain(po)", {"po": po}, 3, "s") == 0b011
    assert run("let s = range(po)", {"po": po}, 3, "s") == 0b110
    assert run("let r = [R]; po", {"po": po, "R": 0b001}, 3, "r") == [0b010, 0, 0]


def test_checks():
    assert V.holds("acyclic", [0b10, 0b00], 2)
    assert not V.holds("acyclic", [0b10, 0b01], 2)
    assert not V.holds("irreflexive", [0b01, 0], 2)
    assert V.holds("empty", [0, 0], 2)


def test_unknown_names_and_kind_errors_are_model_errors():
    with pytest.raises(P.ModelError):
        P.compile_model("stage thread\nlet r = nosuch")
    with pytest.raises(P.ModelError):
        P.compile_model("stage thread\nlet r = R ; po")


@pytest.mark.parametrize("flags", [frozenset(), frozenset({"ifetch", "DIC", "IDC"})])
def test_arm_model_checks(flags):
    model = P.load_model(flags)
    names = [c.name for c in model.execution.checks]
    assert names == ["external", "coRW1-Exp", "coRW1-MTE", "coWW-Exp", "coWR-Exp", "coWR-MTE",
                     "atomic"]
    # only `atomic` subtracts something that depends on rf and co
    assert [c.monotone for c in model.execution.checks] == [True] * 6 + [False]
    assert [c.name for c in model.execution.choices] == ["DC-after", "IC-after"]


def test_arm_model_checks_mixed_size_reads_under_mixed():
    """The mixed-size part of the model is a check only under the mixed variant. It is
    monotone (a pair of bytes read is split once both have their write), so the search
    prunes with it: the bytes of a read do not multiply the candidates searched."""
    checks = P.load_model(frozenset({"mixed"})).execution.checks
    assert [(c.name, c.monotone) for c in checks][-1] == ("mixed-size-reads-from-whole-writes",
                                                        True)
