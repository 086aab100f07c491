"""Instruction fetch (`-variant ifetch`) of a value that is no instruction: the fetched
instruction is undefined, so it takes an UndefinedInstruction fault after the decode
decision, and the thread goes on as after any fault (checked against herd7 by hand)."""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.frontend.parser import parse_text
from pylitmus.report.herdtext import state_values
from pylitmus.semantics import events as E
from pylitmus.semantics.prepare import prepare
from pylitmus.semantics.values import CodeAddr


def overwritten(value: int, header: str = "") -> str:
    """P0 stores `value` over P1's NOP at L1; P1 sets X0 to 1 before it, adds 3 after."""
    return (f"AArch64 T\n{header}{{ 0:X0={value}; 0:X1=P1:L1; }}\n P0 | P1 ;\n"
            " STR W0,[X1] | MOV W0,#1 ;\n | L1: ;\n | NOP ;\n | ADD W0,W0,#3 ;\n"
            "locations [1:X0;1:X5;]\nexists (1:X0=1)\n")


def final_states(text: str, engine: str) -> list[dict]:
    result = pylitmus.check(text, variant="ifetch", engine=engine)
    return sorted((dict(state_values(s.values)) for s in result.states), key=str)


@pytest.mark.parametrize("engine", ["python", "c"])
@pytest.mark.parametrize("value", [0, 5])
def test_a_fatal_fault_stops_the_thread_before_the_fetched_instruction(engine, value):
    states = final_states(overwritten(value, "Variant=fatal\n"), engine)
    assert states == [{"1:X0": "1", "1:X5": "0"}, {"1:X0": "4", "1:X5": "0"}]


@pytest.mark.parametrize("engine", ["python", "c"])
def test_fault_to_next_skips_the_undefined_instruction(engine):
    states = final_states(overwritten(0, "Variant=faultToNext\n"), engine)
    assert states == [{"1:X0": "4", "1:X5": "0"}]


HANDLED = ("AArch64 H\n{ 0:X0=0; 0:X1=P1:L1; }\n P0 | P1 | P1.F ;\n"
           " STR W0,[X1] | MOV W0,#1 | MOV W5,#7 ;\n"
           " | L1: | ADR X9,L2 ;\n | NOP | MSR ELR_EL1,X9 ;\n"
           " | L2: | ERET ;\n | ADD W0,W0,#3 | ;\n"
           "locations [1:X0;1:X5;]\nexists (1:X0=1)\n")


@pytest.mark.parametrize("engine", ["python", "c"])
def test_the_handler_runs_and_returns_where_it_says(engine):
    assert final_states(HANDLED, engine) == [{"1:X0": "4", "1:X5": "0"},
                                             {"1:X0": "4", "1:X5": "7"}]


def test_the_fault_follows_the_decode_decision_and_sets_the_return_address():
    runs = prepare(parse_text(overwritten(0)), requested=frozenset({"ifetch"})).runs[1]
    faulting = [run for run in runs if any(ev.kind == E.FAULT for ev in run.events)]
    assert len(faulting) == 1
    run = faulting[0]
    fault = next(ev for ev in run.events if ev.kind == E.FAULT)
    assert fault.value == "UndefinedInstruction" and fault.loc is None
    assert {"EXC-ENTRY", "UndefinedInstruction"} <= fault.sets
    decision = next(ev for ev in run.events if ev.kind == E.BRANCH and ev.num < fault.num)
    elr = next(ev for ev in run.events if ev.loc == "ELR_EL1")
    assert (decision.num, fault.num) in run.iico_ctrl
    assert (decision.num, elr.num) in run.iico_ctrl
    assert isinstance(elr.value, CodeAddr) and (elr.value.thread, elr.value.label) == (1, "L1")
