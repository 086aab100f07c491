"""AT and PAR_EL1 under `-variant vmsa`: the events of a translation without access, the
`parel1_t` values, and what stays refused. Outcomes checked against herd7 on tests of the
same shapes (herd-kvm/A024, A025 and probes)."""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.errors import LitmusError
from pylitmus.frontend import parse_text
from pylitmus.report.herdtext import condition_text, state_text
from pylitmus.semantics import events as E
from pylitmus.semantics.prepare import prepare, to_value
from pylitmus.semantics.values import (
    FAILED_TRANSLATION,
    InstrBits,
    ParEl1,
    PhysAddr,
    PteVal,
    herd_order,
)

ENGINES = ("c", "python")

# herd-kvm/A024's shape, the descriptor given by {descriptor} and the AT by {op}.
TRANSLATES = """AArch64 translates
{{
 [PTE(x)]={descriptor};
 0:X1=x;
}}
 P0              ;
 AT {op}, X1     ;
 ISB             ;
 MRS X3, PAR_EL1 ;
 MOV W2,#1       ;
forall (0:X3=parel1_t:(oa:PA(x)) /\\ 0:X2=1)
"""


@pytest.mark.parametrize("op, descriptor, par", [
    ("S1E0R", "(oa:PA(x))", "(parel1_t:(oa:PA(x)))"),
    ("S1E1W", "(oa:PA(x))", "(parel1_t:(oa:PA(x)))"),
    ("S1E0W", "(oa:PA(x), db:0)", "(parel1_t:(f:1))"),  # A025: a store would fault
    ("S1E1R", "(oa:PA(x), db:0)", "(parel1_t:(oa:PA(x)))"),
    ("S1E1R", "(oa:PA(x), af:0)", "(parel1_t:(f:1))"),
    ("S1E1R", "(oa:PA(x), valid:0)", "(parel1_t:(f:1))"),
])
def test_par_el1_holds_the_output_address_or_the_fault_flag(op, descriptor, par):
    """The thread goes on after a failed translation: no fault, the MOV runs."""
    result = pylitmus.check(TRANSLATES.format(op=op, descriptor=descriptor), variant="vmsa")
    assert [state_text(s.values) for s in result.states] == [f"0:X2=1; 0:X3={par};"]


def test_the_condition_prints_par_el1_values_in_brackets():
    result = pylitmus.check(TRANSLATES.format(op="S1E0R", descriptor="(oa:PA(x))"),
                            variant="vmsa")
    assert condition_text(result.quantifier, result.condition_tree) == \
        "forall (0:X3=(parel1_t:(oa:PA(x))) /\\ 0:X2=1)"
    assert (result.positive, result.negative, result.observation) == (1, 0, "Always")


def _events(text: str) -> list[list[tuple]]:
    prepared = prepare(parse_text(text), requested=frozenset({"vmsa"}))
    return [[(ev.kind, ev.loc, str(ev.value)) for ev in run.events] + [run.iico_data,
                                                                        run.iico_ctrl]
            for run in prepared.runs[0]]


def test_a_translation_reads_the_descriptor_and_branches_only_when_it_succeeds():
    """As herd7's dot dumps of A024 and A025: the address register read feeds the
    descriptor read, which feeds PAR_EL1's write (and the branch, on success); no
    iico_ctrl edge, no fault event."""
    ok, = _events(TRANSLATES.format(op="S1E0R", descriptor="(oa:PA(x))"))
    assert ok[:4] == [(E.REG_READ, "X1", "x"), (E.MEM_READ, "PTE(x)", "(oa:PA(x))"),
                      (E.BRANCH, None, "None"),
                      (E.REG_WRITE, "PAR_EL1", "(parel1_t:(oa:PA(x)))")]
    assert ok[-2:] == [[(0, 1), (1, 2), (1, 3), (5, 6)], []]
    failed, = _events(TRANSLATES.format(op="S1E0W", descriptor="(oa:PA(x), db:0)"))
    assert failed[:3] == [(E.REG_READ, "X1", "x"), (E.MEM_READ, "PTE(x)", "(oa:PA(x), db:0)"),
                          (E.REG_WRITE, "PAR_EL1", "(parel1_t:(f:1))")]
    assert failed[-2:][1] == []


# P1 invalidates x's descriptor; P0 reads y, then translates x (probe run with herd7:
# 2 positive, 6 negative, the four states).
RACES = """AArch64 races
Variant=vmsa
{
int x=0; int y=0;
0:X1=x; 0:X5=y;
1:X1=PTE(x); 1:X2=(oa:PA(x),valid:0); 1:X3=y; 1:X4=1;
}
 P0              | P1          ;
 LDR W6,[X5]     | STR X2,[X1] ;
 AT S1E1W, X1    | DMB SY      ;
 ISB             | STR W4,[X3] ;
 MRS X3, PAR_EL1 |             ;
 LDR W7,[X1]     |             ;
exists (0:X6=1 /\\ 0:X3=parel1_t:(oa:PA(x)))
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_translation_races_with_an_invalidation(engine):
    result = pylitmus.check(RACES, engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        "0:X3=(parel1_t:(oa:PA(x))); 0:X6=0;", "0:X3=(parel1_t:(oa:PA(x))); 0:X6=1;",
        "0:X3=(parel1_t:(f:1)); 0:X6=0;", "0:X3=(parel1_t:(f:1)); 0:X6=1;"]
    assert (result.positive, result.negative) == (2, 6)


def test_par_el1_values_print_and_order_as_herd7s():
    assert str(ParEl1(PhysAddr("x"))) == "(parel1_t:(oa:PA(x)))"
    assert str(FAILED_TRANSLATION) == "(parel1_t:(f:1))"
    # herd7 orders them by the fault flag alone, after descriptors, before instructions
    assert herd_order(ParEl1(PhysAddr("x"))) == herd_order(ParEl1(PhysAddr("y")))
    assert herd_order(PteVal(PhysAddr("x"))) < herd_order(ParEl1(PhysAddr("x"))) \
        < herd_order(FAILED_TRANSLATION) < herd_order(InstrBits("NOP"))


@pytest.mark.parametrize("written, value", [
    ("parel1_t:(oa:PA(x))", ParEl1(PhysAddr("x"))),
    ("PAREL1_T:(f:1)", FAILED_TRANSLATION),
    ("parel1_t:(f:0)", ParEl1(PhysAddr(""))),
])
def test_par_el1_values_in_conditions(written, value):
    test = parse_text(TRANSLATES.format(op="S1E0R", descriptor="(oa:PA(x))")
                      .replace("parel1_t:(oa:PA(x))", written))
    atom = test.condition.expr.left
    assert to_value(atom.value) == value


@pytest.mark.parametrize("written, message", [
    ("parel1_t:(oa:PA(x), f:1)", "illegal combination in a PAR_EL1 value"),
    ("parel1_t:(valid:1)", "illegal PAR_EL1 property valid"),
])
def test_bad_par_el1_values_are_refused(written, message):
    with pytest.raises(LitmusError, match=message):
        parse_text(TRANSLATES.format(op="S1E0R", descriptor="(oa:PA(x))")
                   .replace("parel1_t:(oa:PA(x))", written))


# P0 translates x while P1 maps x to y's page: herd7 keeps one of the two final states,
# since it orders PAR_EL1 values by their fault flag alone.
REMAPPED = """AArch64 remapped
Variant=vmsa
{
int x=0; int y=0;
0:X1=x;
1:X1=PTE(x); 1:X2=(oa:PA(y));
}
 P0              | P1          ;
 AT S1E1R, X1    | STR X2,[X1] ;
 ISB             |             ;
 MRS X3, PAR_EL1 |             ;
exists (0:X3=parel1_t:(oa:PA(y)))
"""


@pytest.mark.parametrize("text, variant, message", [
    (REMAPPED, "vmsa", "final states that differ only in the output addresses of PAR_EL1"),
    (TRANSLATES.format(op="S1E0R", descriptor="(oa:PA(x))").replace("[PTE(x)]=(oa:PA(x));",
                                                                    ""),
     "", r"virtual memory without variant vmsa \(AT\)"),
    (TRANSLATES.format(op="S12E1R", descriptor="(oa:PA(x))"), "vmsa",
     "AT needs an operation S1E0R, S1E0W, S1E1R or S1E1W"),
    (TRANSLATES.format(op="S1E0R", descriptor="(oa:PA(x))")
     .replace("AArch64 translates\n", "AArch64 translates\nTTHM=HA\n"), "vmsa",
     r"address translation under hardware updates of page tables \(TTHM\)"),
    (TRANSLATES.format(op="S1E0R", descriptor="(oa:PA(x))").replace("0:X1=x", "0:X1=PTE(x)"),
     "vmsa", r"address translation of PTE\(x\) is not supported yet"),
    (TRANSLATES.format(op="S1E0R", descriptor="(oa:PA(x))")
     .replace("MOV W2,#1", "CMP X3,#0"), "vmsa", "illegal flag-setting operation"),
])
def test_what_stays_refused(text, variant, message):
    with pytest.raises(LitmusError, match=message):
        pylitmus.check(text, variant=variant)
