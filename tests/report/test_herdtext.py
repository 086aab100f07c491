"""herd7's text for states and conditions, and the states herd7 shows: which locations,
which values, in which order. Expected lines are herd7's own output on the same tests."""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.frontend import parse_text
from pylitmus.report.herd import herd_block
from pylitmus.report.herdtext import condition_text, state_text
from pylitmus.result import Location
from pylitmus.semantics.values import CodeAddr, InstrBits, Number

TWO_READS = """AArch64 T
{ 0:X1=x; 1:X1=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W4,[X1] ;
 STR W0,[X1] | LDR W7,[X1] ;
"""


def block(final: str, text: str = TWO_READS, hexa: bool = False) -> list[str]:
    """herd7's lines for a test, without the Time line."""
    lines = herd_block(pylitmus.check(text + final + "\n"), hexa).splitlines()
    return [line for line in lines if line and not line.startswith("Time")]


def condition(final: str, hexa: bool = False) -> str:
    expr = parse_text(TWO_READS + final + "\n", "t.litmus").condition
    return condition_text(expr.quantifier, expr.expr, hexa)


@pytest.mark.parametrize("written, printed", [
    # lib/constrGen.ml, pp_prop: `not (...)` always, brackets where precedence needs them.
    (r"exists (~1:X4=1 /\ ~(1:X7=1 \/ 1:X4=0))",
     r"exists (not (1:X4=1) /\ not (1:X7=1 \/ 1:X4=0))"),
    (r"exists 1:X4<>1", r"exists (not (1:X4=1))"),
    (r"forall ((1:X4=1 /\ 1:X7=1) \/ (1:X4=0 /\ 1:X7=0))",
     r"forall (1:X4=1 /\ 1:X7=1 \/ 1:X4=0 /\ 1:X7=0)"),
    (r"exists ((1:X4=1 \/ 1:X7=1) /\ [x]=1)", r"exists ((1:X4=1 \/ 1:X7=1) /\ [x]=1)"),
    # `=>` binds tighter than `/\` and `\/`, and to the right.
    (r"exists (1:X4=1 /\ 1:X7=1 => 1:X7=0)", r"exists (1:X4=1 /\ (1:X7=1 => 1:X7=0))"),
    (r"exists (1:X4=1 \/ 1:X7=1 => 1:X7=0)", r"exists (1:X4=1 \/ (1:X7=1 => 1:X7=0))"),
    (r"exists ((1:X4=1 => 1:X7=1) => 1:X7=0)", r"exists (1:X4=1 => 1:X7=1 => 1:X7=0)"),
    (r"exists (true /\ 1:X4=1 \/ false)", r"exists (true /\ 1:X4=1 \/ false)"),
    # numbers as 64-bit integers; locations compared: both bracketed
    (r"exists (1:X4=0xffffffff /\ 1:X7=0xffffffffffffffff)",
     r"exists (1:X4=4294967295 /\ 1:X7=-1)"),
    (r"exists (x=*1:X1 /\ 1:X4=P1:X7 /\ 1:X4==1)", r"exists ([x]=1:X1 /\ 1:X4=1:X7 /\ 1:X4=1)"),
])
def test_condition_as_herd7_prints_it(written, printed):
    assert condition(written) == printed


def test_condition_in_hexadecimal():
    assert condition(r"exists (1:X4=-1 /\ 1:X1=x /\ 1:X7=0x10)", hexa=True) == \
        r"exists (1:X4=0xffffffffffffffff /\ 1:X1=x /\ 1:X7=0x10)"


def test_values_print_by_the_type_of_their_location():
    int32, uint64, int64 = (32, True), (64, False), (64, True)
    values = ((Location("X0", 0), Number(0xFFFFFFFF, int32)),
              (Location("X1", 0), Number((1 << 64) - 1, uint64)),
              (Location("X2", 0), Number((1 << 64) - 2, int64)),
              (Location("X3", 0), CodeAddr(1, "L0")),
              (Location("X4", 0), InstrBits("ADD W4,W4,#1")),
              (Location("x"), Number(1, int32)),
              (Location("t", array=True), (Number(1, int32), Number(2, int32))),
              (Location("t", index=1), Number(2, int32)))
    assert state_text(values) == ('0:X0=-1; 0:X1=18446744073709551615; 0:X2=-2; '
                                  '0:X3=label:"P1:L0"; 0:X4=instr:"ADD W4,W4,#1"; [x]=1; '
                                  't={1,2}; t[1]=2;')
    assert state_text(values[:3], hexa=True) == \
        "0:X0=0xffffffff; 0:X1=0xffffffffffffffff; 0:X2=0xfffffffffffffffe;"


def test_two_registers_compared():
    """`1:X4=1:X7` compares two final values; both registers are shown."""
    assert block("exists (1:X4=1:X7)")[1:8] == [
        "States 3", "1:X4=0; 1:X7=0;", "1:X4=0; 1:X7=1;", "1:X4=1; 1:X7=1;", "Ok",
        "Witnesses", "Positive: 2 Negative: 1"]


def test_a_location_compared_with_a_register():
    assert block("exists ([x]=1:X7)")[1:7] == [
        "States 2", "1:X7=0; [x]=1;", "1:X7=1; [x]=1;", "Ok", "Witnesses",
        "Positive: 2 Negative: 1"]


def test_a_filter_selects_executions_but_adds_no_location():
    """herd7 shows the locations of `locations [...]` and of the condition only."""
    assert block("locations [0:X0;]\nfilter (1:X4=0)\nforall (1:X7=1)") == [
        "Test T Required", "States 2", "0:X0=1; 1:X7=0;", "0:X0=1; 1:X7=1;", "No",
        "Witnesses", "Positive: 1 Negative: 1", "Condition forall (1:X7=1)",
        "Observation T Sometimes 1 1"]


ORDERED = """AArch64 ORD
{ x=-1; 0:X1=x; 0:X0=1; 0:X3=y; 1:X3=y; }
 P0          | P1          ;
 LDR W2,[X3] | MOV W0,#1   ;
 CBNZ W2,L0  | STR W0,[X3] ;
 STR W0,[X1] |             ;
 L0:         |             ;
"""
RAW = """AArch64 RAW
{ 0:X1=x; 1:X1=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W4,[X1] ;
 STR W0,[X1] | CBZ W4,L0   ;
             | MOV X2,#-1  ;
             | B L1        ;
             | L0:         ;
             | MOV W2,#-1  ;
             | L1:         ;
"""


def test_states_are_ordered_by_value_as_herd7_keeps_it():
    """herd7 orders states by its values: a 32-bit location holding -1 keeps 0xffffffff,
    which comes after 1."""
    assert block("exists ([x]=1)", ORDERED)[1:4] == ["States 2", "[x]=1;", "[x]=-1;"]


def test_a_register_keeps_its_64_bits():
    """A register holds 64 bits whatever its type: -1 written to X2 and to W2 are two
    states, printed alike (as `int`), the X one (-1 as a 64-bit integer) first."""
    lines = block("exists (1:X2=-1)", RAW)
    assert lines[1:4] == ["States 2", "1:X2=-1;", "1:X2=-1;"]
    assert lines[6] == "Positive: 2 Negative: 0"
    assert block("exists (1:X2=-1)", RAW, hexa=True)[2:4] == ["1:X2=0xffffffff;"] * 2
    states = pylitmus.check(RAW + "exists (1:X2=-1)\n").states
    assert [state.values[0][1].bits for state in states] == [(1 << 64) - 1, 0xFFFFFFFF]


CELL = """AArch64 ARR
{ uint64_t t[2]; 0:X1=t; 0:X3=t[1]; }
 P0           ;
 ADD X2,X1,#1 ;
"""


def test_an_array_cell_in_a_condition_is_the_array_plus_its_index():
    """herd7 reads `t[1]` in a condition as the address t+1, unscaled (in the init block
    it is t+8 for 64-bit cells): `0:X3=t[1]` fails, `0:X2=t[1]` holds (herd7's answers)."""
    assert block(r"exists (0:X3=t[1] \/ 0:X2=t[1])", CELL)[1:7] == [
        "States 1", "0:X2=t+1; 0:X3=t+8;", "Ok", "Witnesses", "Positive: 1 Negative: 0",
        r"Condition exists (0:X3=t+1 \/ 0:X2=t+1)"]
    assert block("exists (0:X3=t[1])", CELL)[3] == "No"


def test_faults_are_spaced_as_herd7_spaces_them():
    """herd7 writes a state's faults after a space, those shown first, then each
    `~Fault(...);` after a space of its own (herd/archExtra_herd.ml,
    do_dump_final_state): two spaces before a `~Fault` when no fault is shown, one
    leading space when no location is."""
    assert block("exists (1:X4=1 \\/ Fault(P1))")[1:4] == [
        "States 2", "1:X4=0;  ~Fault(P1);", "1:X4=1;  ~Fault(P1);"]
    assert block("exists (Fault(P1))")[1:3] == ["States 1", "  ~Fault(P1);"]
    # a fault shown and one not (herd7 -variant vmsa,fatal)
    both = ("AArch64 both\nVariant=vmsa,fatal\n{ [PTE(x)]=(valid:0); 0:X1=x; 1:X1=y; }\n"
            " P0          | P1          ;\n LDR W0,[X1] | LDR W0,[X1] ;\n")
    assert block("exists (Fault(P0,x) /\\ ~Fault(P1))", both)[1:3] == [
        "States 1", " Fault(P0,x,D-MMU:Translation); ~Fault(P1);"]
