"""The page-table syntax: PTE(x), TTD(x), PA(x), old spellings, descriptors, fault atoms,
and how herd7 prints them back."""

from __future__ import annotations

import pytest

from pylitmus.errors import LitmusError
from pylitmus.frontend import ast, parse_text
from pylitmus.report.herdtext import condition_text
from pylitmus.semantics.prepare import to_value
from pylitmus.semantics.values import PhysAddr, PteVal, TableAddr, herd_text


def parsed_test(init: str = "", final: str = "exists (0:X0=0)") -> ast.Test:
    return parse_text(f"AArch64 T\n{{\n{init}\n}}\n P0 ;\n NOP ;\n{final}\n", "t.litmus")


def init_values(init: str) -> dict:
    """The init block's values by target (`0:X1`, `PTE(x)`, `y`)."""
    found = {}
    for item in parsed_test(init).init:
        if isinstance(item, ast.InitReg):
            found[f"{item.target.thread}:{item.target.reg}"] = item.value
        elif isinstance(item, ast.InitMem):
            found[item.target.name] = item.value
    return found


def test_entries_and_physical_addresses_in_every_spelling():
    values = init_values("0:X1=PTE(y); 0:X2=TTD(y); 0:X3=pte_y; 0:X4=PA(y); 0:X5=phy_y;")
    assert values == {"0:X1": ast.TableEntry("y"), "0:X2": ast.TableEntry("y"),
                      "0:X3": ast.TableEntry("y"), "0:X4": ast.Physical("y"),
                      "0:X5": ast.Physical("y")}


@pytest.mark.parametrize("target", ["[PTE(y)]", "PTE(y)", "TTD(y)", "pte_y"])
def test_an_entry_is_initialised_as_the_location_PTE(target):
    assert set(init_values(f"{target}=(oa:PA(z));")) == {"PTE(y)"}


def test_descriptor_fields_and_attributes():
    (item,) = parsed_test("[PTE(y)]=(valid:0, oa:phy_z, dbm:1, "
                          "attrs:(Inner-non-cacheable,OSH));").init
    assert isinstance(item, ast.InitMem) and isinstance(item.value, ast.Descriptor)
    assert item.value.oa == ast.Physical("z")
    assert item.value.fields == (("valid", 0), ("dbm", 1))
    assert item.value.attrs == ("iNC", "OSH")


def test_a_descriptor_without_an_address_maps_its_own_location():
    parsed = parsed_test("[PTE(y)]=(af:0);", final="exists (pte_y=(valid:0))")
    (item,) = parsed.init
    assert to_value(item.value) == PteVal(PhysAddr("y"), af=0)
    assert isinstance(parsed.condition.expr, ast.Atom)
    assert to_value(parsed.condition.expr.value) == PteVal(PhysAddr("y"), valid=0)


@pytest.mark.parametrize("init, message", [
    ("[PTE(y)]=(oa:PA(y), ro:1);", "illegal AArch64 page table entry property ro"),
    ("[PTE(y)]=(oa:PA(y), attrs:(Weird));", "invalid memory attribute Weird"),
    ("phy_y=1;", "herd7 cannot handle initialisation of '[PA(y)]'"),
    ("[PTE(y)]=(oa:y);", "the output address of a descriptor is PA(x) or PTE(x)"),
])
def test_bad_descriptors_are_refused_at_their_place(init, message):
    with pytest.raises(LitmusError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")) as caught:
        parsed_test(init)
    assert caught.value.line == 3


@pytest.mark.parametrize("descriptor, text", [
    (PteVal(PhysAddr("y")), "(oa:PA(y))"),
    (PteVal(PhysAddr("y"), valid=0), "(oa:PA(y), valid:0)"),
    (PteVal(PhysAddr("y"), db=0, dbm=1, valid=0, el0=0), "(oa:PA(y), db:0, dbm:1, valid:0, el0:0)"),
    (PteVal(PhysAddr("y"), af=0, x=0, attrs=("Normal", "ISH", "iNC", "oNC")),
     "(oa:PA(y), af:0, x:0, attrs:(Normal,ISH,iNC,oNC))"),
    (PteVal(TableAddr("y"), attrs=("Device-GRE",)), "(oa:PTE(y), attrs:(Device-GRE))"),
    (TableAddr("y"), "PTE(y)"),
    (PhysAddr("y"), "PA(y)"),
])
def test_values_print_as_herd7_prints_them(descriptor, text):
    assert herd_text(descriptor) == text


@pytest.mark.parametrize("atom, expected", [
    ("fault(P0)", ast.FaultAtom(0, None, None, None, None)),
    ("Fault(P1:L0,y)", ast.FaultAtom(1, "L0", "y", None, None)),
    ("fault(P1:L0,y,MMU:Translation)", ast.FaultAtom(1, "L0", "y", "MMU:Translation", None)),
    ("fault(P2,D-MMU:Permission)", ast.FaultAtom(2, None, None, "D-MMU:Permission", None)),
])
def test_fault_atoms(atom, expected):
    parsed = parsed_test(final=f"exists ({atom})").condition.expr
    assert isinstance(parsed, ast.FaultAtom)
    assert (parsed.thread, parsed.label, parsed.loc, parsed.type) == \
        (expected.thread, expected.label, expected.loc, expected.type)


def test_the_condition_prints_faults_lower_case_and_entries_bracketed():
    parsed = parsed_test("[PTE(y)]=(oa:PA(y));",
                  final="exists (0:X0=1 /\\ ~Fault(P0:L0,y) /\\ [PTE(y)]=(oa:PA(z), valid:0))")
    assert condition_text(parsed.condition.quantifier, parsed.condition.expr) == \
        "exists (0:X0=1 /\\ not (fault(P0:L0,y)) /\\ [PTE(y)]=(oa:PA(z), valid:0))"


def test_a_register_named_with_its_thread_in_a_condition():
    parsed = parsed_test(final="exists (P0:X7=0)").condition.expr
    assert isinstance(parsed, ast.Atom) and parsed.target.thread == 0
