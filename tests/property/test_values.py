"""The values reads may return are found exactly, with no cut-off: counters of every width
that wrap reach exactly the values the architecture gives, and random programs with atomics
in loops agree between the two engines.

A location of C type T holds T's values: an 8-bit store keeps the low byte, and the final
state shows the value as T reads it (signed types in two's complement). Plain increments
(load, add, store) by n threads may lose updates: the final value is the initial one plus
any k in 1..n, each reachable (every thread may read the initial value, or the threads may
run one after the other). Atomic increments (LDADD) are never lost: the final value is the
initial one plus n.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pylitmus.checker import Options, check_test
from pylitmus.frontend import parse_text
from pylitmus.limits import Limits
from pylitmus.report.herdtext import state_values
from tests.property import examples

# C type -> (bits, signed, load, store, register, atomic add)
TYPES = {
    "int8_t": (8, True, "LDRB", "STRB", "W", "LDADDB"),
    "uint8_t": (8, False, "LDRB", "STRB", "W", "LDADDB"),
    "int16_t": (16, True, "LDRH", "STRH", "W", "LDADDH"),
    "uint16_t": (16, False, "LDRH", "STRH", "W", "LDADDH"),
    "int32_t": (32, True, "LDR", "STR", "W", "LDADD"),
    "uint32_t": (32, False, "LDR", "STR", "W", "LDADD"),
    "int64_t": (64, True, "LDR", "STR", "X", "LDADD"),
    "uint64_t": (64, False, "LDR", "STR", "X", "LDADD"),
}


def as_type(value: int, bits: int, signed: bool) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if signed and value >> (bits - 1) else value


def counter_test(ctype: str, initial: int, threads: int, atomic: bool) -> str:
    bits, signed, load, store, reg, ldadd = TYPES[ctype]
    code = ([f"MOV {reg}0,#1", f"{ldadd} {reg}0,{reg}2,[X1]"] if atomic else
            [f"{load} {reg}0,[X1]", f"ADD {reg}0,{reg}0,#1", f"{store} {reg}0,[X1]"])
    rows = [" | ".join(f"P{i}" for i in range(threads))]
    rows += [" | ".join([line] * threads) for line in code]
    literal = hex(initial) if initial >= 0 else str(initial)  # herd7 reads hex up to 2^64-1
    init = f"{ctype} x={literal}; " + " ".join(f"{i}:X1=x;" for i in range(threads))
    return (f"AArch64 counter\n{{ {init} }}\n" + "".join(f" {row} ;\n" for row in rows) +
            f"exists (x={literal})\n")


@settings(max_examples=examples(30), deadline=None)
@given(ctype=st.sampled_from(sorted(TYPES)), threads=st.integers(1, 3), atomic=st.booleans(),
       below=st.integers(0, 3), data=st.data())
def test_counters_that_wrap_reach_exactly_the_architectures_values(ctype, threads, atomic,
                                                                    below, data):
    bits, signed, *_ = TYPES[ctype]
    top = (1 << (bits - 1)) - 1 if signed else (1 << bits) - 1  # the largest value
    initial = as_type(top - below, bits, signed)
    test = parse_text(counter_test(ctype, initial, threads, atomic), "counter.litmus")
    engine = data.draw(st.sampled_from(("c", "python")))
    result = check_test(test, Options(engine=engine))
    finals = {int(dict(state_values(state.values))["[x]"]) for state in result.states}
    added = [threads] if atomic else range(1, threads + 1)
    assert finals == {as_type(initial + k, bits, signed) for k in added}
    assert not result.warnings


LOOPS = {
    # Retry until the store-exclusive succeeds.
    "exclusive": ["Lr{n}:", "LDXR W5,[X1]", "ADD W5,W5,#1", "STXR W6,W5,[X1]", "CBNZ W6,Lr{n}"],
    # Compare-and-swap until the value compared is the one read.
    "cas": ["LDR W5,[X1]", "Lc{n}:", "ADD W6,W5,#1", "MOV W7,W5", "CAS W7,W6,[X1]",
            "CMP W7,W5", "MOV W5,W7", "B.NE Lc{n}"],
    # Take a ticket, spin until the owner field is it, then pass the turn on.
    "ticket": ["MOV W4,#1", "LDADDA W4,W5,[X1]", "Ls{n}:", "LDAR W6,[X3]", "CMP W6,W5",
               "B.NE Ls{n}", "ADD W6,W6,#1", "STLR W6,[X3]"],
    # Add atomically, then spin while the sum is odd.
    "spin": ["Lp{n}:", "MOV W4,#1", "STADD W4,[X3]", "LDR W8,[X3]", "TBNZ W8,#0,Lp{n}"],
}


@st.composite
def looping_programs(draw) -> str:
    count = 2  # the Python engine is slow
    threads = [[line.format(n=i) for line in LOOPS[draw(st.sampled_from(sorted(LOOPS)))]]
               for i in range(count)]
    init = " ".join(f"{i}:X1=x; {i}:X3=y;" for i in range(count))
    height = max(len(lines) for lines in threads)
    rows = [" | ".join(f"P{i}" for i in range(count))]
    rows += [" | ".join(lines[k] if k < len(lines) else "" for lines in threads)
             for k in range(height)]
    value = draw(st.integers(0, 3))
    return ("AArch64 loops\n{ " + init + " }\n" + "".join(f" {r} ;\n" for r in rows) +
            f"exists (x={value} /\\ y={value})\n")


def outcome(test, engine: str):
    result = check_test(test, Options(engine=engine, unroll=1,
                                      limits=Limits(max_executions=200_000)))
    return ([(s.values, s.executions, s.satisfies) for s in result.states],
            result.positive, result.negative, result.warnings)


@settings(max_examples=examples(8), deadline=None)
@given(looping_programs())
def test_engines_agree_on_atomics_in_loops(text):
    pytest.importorskip("pylitmus.explorer.native", reason="the C core is not built")
    test = parse_text(text, "loops.litmus")
    assert outcome(test, "c") == outcome(test, "python"), text


def test_a_value_written_before_an_abandoned_branch_is_read_back():
    """A thread stores a label, loads it back and branches to it. While the load still
    returns the initial 0, the indirect branch has no label to go to (herd7 tries only
    the labels the test exports, herd/AArch64Sem.ml) and that sequence is abandoned; the
    store before it still happens in the run where the load returns the label, so its
    value must be found. herd7: Always 1 0, one state 0:X0=0."""
    text = """AArch64 br
{ 0:X4=y; int64_t y; }
 P0           ;
 ADR X5,L1    ;
 STR X5,[X4]  ;
 LDR X3,[X4]  ;
 BR X3        ;
 MOV W0,#1    ;
 L1:          ;
exists (0:X0=0)
"""
    for engine in ("c", "python"):
        result = check_test(parse_text(text, "br.litmus"), Options(engine=engine))
        assert (result.observation, result.positive, result.negative) == ("Always", 1, 0)
