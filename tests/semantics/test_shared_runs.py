"""Thread runs shared between the tests of one process (semantics/shared_runs.py): a
thread met again under the same values takes the runs of its first meeting, and nothing
else changes."""

from __future__ import annotations

from pathlib import Path

import pytest

import pylitmus
from pylitmus.checker import Options, prepare_test
from pylitmus.errors import LitmusError
from pylitmus.frontend import parse_text
from tests.model.test_cat import LIBDIR, needs_libdir

WRITER = " MOV W0,#1   | {reader1} ;\n STR W0,[X1] | {reader2} ;\n MOV W2,#{flag}   |             ;\n STR W2,[X3] |             ;\n"  # noqa: E501


def litmus(name: str, reader1: str, reader2: str, flag: int = 1,
           condition: str = "1:X2=1 /\\ 1:X0=0") -> str:
    code = WRITER.format(reader1=reader1, reader2=reader2, flag=flag)
    return (f"AArch64 {name}\n{{\n0:X1=x; 0:X3=y;\n1:X1=x; 1:X3=y;\n}}\n"
            f" P0          | P1          ;\n{code}exists ({condition})\n")


MP = litmus("MP", "LDR W2,[X3]", "LDR W0,[X1]")
MP_ACQUIRE = litmus("MP+po+acq", "LDAR W2,[X3]", "LDR W0,[X1]")


def runs_of(text: str, file: str):
    return prepare_test(parse_text(text, file), Options()).runs


def test_a_thread_met_again_takes_the_runs_of_its_first_meeting() -> None:
    first, second = runs_of(MP, "a.litmus"), runs_of(MP_ACQUIRE, "b.litmus")
    assert len(first[0]) == len(second[0]) and \
        all(a is b for a, b in zip(first[0], second[0]))  # P0, the same thread
    assert not any(a is b for a, b in zip(first[1], second[1]))  # P1 differs
    # and the verdicts are herd7's
    assert pylitmus.check(MP).observation == "Sometimes"
    assert pylitmus.check(MP_ACQUIRE).observation == "Sometimes"


def test_a_thread_under_other_values_runs_again() -> None:
    # P1 writes 2 to x: P0 has no read, but x may now hold 2, so its runs are its own
    other = MP.replace(" LDR W0,[X1] ;", " STR W5,[X1] ;").replace("1:X3=y;", "1:X3=y; 1:X5=2;")
    first, second = runs_of(MP, "a.litmus"), runs_of(other, "b.litmus")
    assert not any(a is b for a, b in zip(first[0], second[0]))
    assert [run.registers for run in first[0]] == [run.registers for run in second[0]]


def test_a_run_with_an_error_names_its_own_test(tmp_path: Path) -> None:
    # A 64-bit load of a 32-bit location: herd7's "Illegal mixed-size test", raised when
    # an execution uses the run; each test's message names its own file.
    wide = MP.replace("LDR W0,[X1]", "LDR X0,[X1]")
    for name in ("one.litmus", "two.litmus"):
        path = tmp_path / name
        path.write_text(wide)
        with pytest.raises(LitmusError) as caught:
            pylitmus.check(path)
        assert caught.value.file == str(path)
        assert "illegal mixed-size test" in caught.value.message


@needs_libdir
def test_shared_runs_give_each_model_its_own_results() -> None:
    for _ in range(2):  # the same runs, under one model then the other, twice
        assert pylitmus.check(MP).observation == "Sometimes"
        assert pylitmus.check(MP, model=LIBDIR / "sc.cat", libdir=LIBDIR).observation == "Never"
