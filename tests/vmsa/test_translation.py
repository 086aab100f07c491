"""Translation under `-variant vmsa` with fatal faults: the counts checked by hand against
herd7 (docs/virtual-memory.md, section 3) on tests of the same shapes, faults, the
break-before-make flag, and what stays refused."""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.errors import LitmusError
from pylitmus.report.herdtext import state_text

ENGINES = ("c", "python")

# P0 remaps a to b's page while P1 reads a twice (catalogue-bbm/CoRR+PteOA.DB0's shape).
REMAP = """AArch64 remap
{{
 [a]=5; [b]={b};
 [PTE(a)]=(oa:PA(a), db:0);
 0:X3=(oa:PA(b), db:{db}); 0:X6=PTE(a);
 1:X2=a;
}}
 P0          | P1          ;
 STR X3,[X6] | LDR W4,[X2] ;
             | LDR W5,[X2] ;
exists (1:X4={b} /\\ 1:X5=5)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_remapped_page_read_twice(engine):
    """Each of P1's two translation reads reads the initial or the new descriptor: four
    executions, all consistent; reading the new one then the old one is allowed."""
    result = pylitmus.check(REMAP.format(b=7, db=0), variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        "1:X4=5; 1:X5=5;", "1:X4=5; 1:X5=7;", "1:X4=7; 1:X5=5;", "1:X4=7; 1:X5=7;"]
    assert (result.positive, result.negative, result.ok) == (1, 3, True)
    assert result.flags == ["Warning-BBM-expected"]  # new output address, memory differs


@pytest.mark.parametrize("b, db, flags", [(5, 0, []), (5, 1, ["Warning-BBM-expected"])])
def test_break_before_make_is_expected_when_memory_differs_or_a_descriptor_is_writable(
        b, db, flags):
    result = pylitmus.check(REMAP.format(b=b, db=db), variant="vmsa")
    assert (result.positive, result.negative) == (4, 0)
    assert result.flags == flags


STOPS = """AArch64 stops
{
 [PTE(c)]=(oa:PA(c), valid:0);
 0:X1=c; 0:X3=7;
}
 P0          ;
 L0:         ;
 LDR W2,[X1] ;
 MOV W3,#1   ;
forall (0:X2=0 /\\ 0:X3=7 /\\ fault(P0:L0,c,MMU:Translation))
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_fatal_fault_stops_the_thread(engine):
    """herd-kvm/A001's shape: the load faults, the MOV never runs."""
    result = pylitmus.check(STOPS, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        "0:X2=0; 0:X3=7; Fault(P0:L0,c,MMU:Translation);"]
    assert (result.positive, result.negative, result.observation) == (1, 0, "Always")


FAULTS = """AArch64 faults
{
 [PTE(d)]=(oa:PA(d), db:0); [PTE(e)]=(oa:PA(e), af:0);
 0:X1=d; 1:X1=e;
}
 P0          | P1          ;
 L0:         | L1:         ;
 STR W0,[X1] | LDR W0,[X1] ;
exists (fault(P0:L0,d) /\\ fault(P1:L1,e) /\\ ~fault(P1:L1,e,MMU:Translation)
        /\\ ~fault(P1,d))
"""


def test_faults_print_with_the_type_of_the_first_atom_that_gives_one():
    """A store through a clean descriptor faults with Permission, a load through one with
    its access flag clear with AccessFlag; an atom no fault matches prints negated."""
    result = pylitmus.check(FAULTS, variant="vmsa")
    assert [state_text(s.values) for s in result.states] == [
        " Fault(P0:L0,d,D-MMU:Permission); Fault(P1:L1,e,D-MMU:AccessFlag); "
        "~Fault(P1:L1,e,MMU:Translation); ~Fault(P1,d);"]
    assert result.ok


@pytest.mark.parametrize("table, variant, message", [
    (" P0 ;\n TLBI ASIDE1IS,X1 ;", "vmsa", "TLBI ASIDE1IS is not supported yet"),
    (" P0 ;\n L0: ADR X2,L0 ;", "vmsa,ifetch", "labels as values under virtual memory "
     "with instruction fetch (variants vmsa and ifetch) are not supported yet"),
    (" P0 ;\n LDR W0,[X1] ;", "",
     "virtual memory without variant vmsa (a descriptor) is not supported yet"),
    (" P0 ;\n CASP W0,W1,W2,W3,[X1] ;", "vmsa", "CASP under virtual memory is not supported yet"),
    (" P0 ;\n LDRB W0,[X1] ;", "vmsa,mixed", "mixed-size accesses under virtual memory "
     "(variants vmsa and mixed) are not supported yet"),
])
def test_what_step_one_lacks_is_refused_by_name(table, variant, message):
    text = f"AArch64 T\n{{ [PTE(c)]=(oa:PA(c)); 0:X1=c; }}\n{table}\nexists (0:X0=0)\n"
    with pytest.raises(LitmusError, match=message.replace("(", r"\(").replace(")", r"\)")):
        pylitmus.check(text, variant=variant)


def test_reports_show_faults_and_descriptors():
    """herd7's text, the JSON record (valid under docs/json-schema.json) and the terminal
    table show a state's faults, and a page-table entry's final descriptor as [PTE(c)]."""
    import json
    from pathlib import Path

    from rich.console import Console

    from pylitmus.report.json import outcome_record
    from pylitmus.report.rich import states_table
    from pylitmus.report.runner import Outcome
    from tests.report.schema import errors

    text = STOPS.replace("forall (", "locations [PTE(c);]\nforall (")
    result = pylitmus.check(text, variant="vmsa")
    assert state_text(result.states[0].values) == \
        "0:X2=0; 0:X3=7; [PTE(c)]=(oa:PA(c), valid:0); Fault(P0:L0,c,MMU:Translation);"
    record = outcome_record(Outcome("stops.litmus", result=result))
    schema = json.loads((Path(__file__).parents[2] / "docs" / "json-schema.json").read_text())
    assert errors(record, schema, schema) == []
    assert record["states"][0]["values"]["faults"] == "Fault(P0:L0,c,MMU:Translation);"
    assert record["condition"]["tree"]["args"][-1] == {
        "op": "fault", "thread": 0, "label": "L0", "location": "c", "type": "MMU:Translation"}
    console = Console(width=200, record=True)
    console.print(states_table(result))
    assert "Fault(P0:L0,c,MMU:Translation);" in console.export_text()


def test_a_cat_model_is_refused_under_virtual_memory():
    with pytest.raises(LitmusError,
                       match=r"virtual memory, memory tagging and exceptions with a cat model"):
        pylitmus.check(STOPS, variant="vmsa", model="/nonexistent.cat")


@pytest.mark.parametrize("op, mask, expected", [
    ("ORR", 1 << 10, "(oa:PA(c), valid:0)"),  # sets af
    ("ORR", 1 << 7, "(oa:PA(c), af:0, db:0, valid:0)"),  # bit 7 set is db:0
    ("BIC", 1, "(oa:PA(c), af:0, valid:0)"),
    ("BIC", 1 << 54, "(oa:PA(c), af:0, valid:0)"),  # bit 54 clear is x:1
    ("AND", (1 << 10) | (1 << 7), "0"),  # af clear, db set: neither bit
])
def test_descriptor_arithmetic_on_its_flag_bits(op, mask, expected):
    from pylitmus.semantics.instructions import logic
    from pylitmus.semantics.values import PhysAddr, PteVal, herd_text

    assert herd_text(logic(op, PteVal(PhysAddr("c"), af=0, valid=0), mask)) == expected


def test_descriptor_arithmetic_with_other_bits_is_refused_as_herd7_does():
    from pylitmus.semantics.instructions import Unsupported, logic
    from pylitmus.semantics.values import PhysAddr, PteVal

    with pytest.raises(Unsupported, match="illegal operation orr"):
        logic("ORR", PteVal(PhysAddr("c")), 1 << 3)


ATOMIC = """AArch64 atomic
{{
 [c]=1; [PTE(c)]=(oa:PA(c), db:{db});
 0:X1=c; 0:X2=5;
}}
 P0              ;
 L0:             ;
 SWP W2,W3,[X1]  ;
locations [c; fault(P0:L0,c);]
exists (0:X3=1)
"""


@pytest.mark.parametrize("db, state", [
    (1, "0:X3=1; [c]=5;  ~Fault(P0:L0,c);"),
    (0, "0:X3=0; [c]=1; Fault(P0:L0,c,D-MMU:Permission);"),  # a swap writes: db:0 faults
])
def test_an_atomic_is_translated_once_as_a_write(db, state):
    result = pylitmus.check(ATOMIC.format(db=db), variant="vmsa")
    assert [state_text(s.values) for s in result.states] == [state]


# P0 remaps f to g's page; P1's exclusive pair on f may straddle the remap.
EXCLUSIVE = """AArch64 exclusive
{
 [f]=1; [g]=2;
 0:X2=PTE(f); 0:X1=(oa:PA(g));
 1:X3=f;
}
 P0          | P1              ;
 STR X1,[X2] | LDXR W4,[X3]    ;
             | MOV W7,#4       ;
             | STXR W5,W7,[X3] ;
exists (1:X4=1 /\\ 1:X5=0 /\\ [g]=4)
"""


def test_an_exclusive_reservation_holds_the_physical_address():
    """The load-exclusive reads f's old page, the store-exclusive translates to g's: the
    reservation does not match, the store cannot succeed."""
    result = pylitmus.check(EXCLUSIVE, variant="vmsa")
    assert result.positive == 0 and result.negative > 0


# One load of an invalid entry that another thread makes valid (herd-kvm/A003's shape).
RETRIED = """AArch64 retried
Variant={handling}
{{
 [h]=3; [PTE(h)]=(oa:PA(h), valid:0);
 0:X1=h;
 1:X0=(oa:PA(h)); 1:X1=PTE(h);
}}
 P0          | P1          ;
 LDR W0,[X1] | STR X0,[X1] ;
 MOV W2,#1   |             ;
forall (0:X0=3 /\\ 0:X2=1)
"""


@pytest.mark.parametrize("handling, states", [
    # the thread stops at the fault
    ("fatal", [("0:X0=0; 0:X2=0;", 1), ("0:X0=3; 0:X2=1;", 1)]),
    # it goes on after the faulting load
    ("skip", [("0:X0=0; 0:X2=1;", 1), ("0:X0=3; 0:X2=1;", 1)]),
    # it runs the load again, which must not fault again
    ("imprecise", [("0:X0=3; 0:X2=1;", 2)]),
])
def test_what_a_thread_does_after_a_fault(handling, states):
    result = pylitmus.check(RETRIED.format(handling=handling), variant="vmsa")
    assert [(state_text(s.values), s.executions) for s in result.states] == states


def test_the_tests_fault_handling_overrides_the_requested_one():
    result = pylitmus.check(RETRIED.format(handling="handled"), variant="vmsa,fatal")
    assert "handled" in result.variant and "fatal" not in result.variant
    assert result.ok


# P1 breaks k's entry, invalidates it, then maps k to m's page; P0 reads k twice
# (catalogue-vmsa/Luc00's shape; herd7 counts 15 executions of this very text).
TWICE = """AArch64 twice
Variant=handled
{
 [k]=1; [m]=2;
 0:X2=k; 1:X2=k; 1:X4=PTE(k); 1:X6=PTE(m); 1:X8=(oa:PA(k), valid:0);
}
 P0          | P1              ;
 LDR W0,[X2] | LDR X0,[X6]     ;
 LDR W1,[X2] | STR X8,[X4]     ;
             | DSB ISH         ;
             | LSR X3,X2,#12   ;
             | TLBI VAAE1IS,X3 ;
             | DSB ISH         ;
             | STR X0,[X4]     ;
exists (0:X0=2 /\\ 0:X1=1)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_after_a_rerun_any_fault_of_the_thread_drops_the_run(engine):
    """herd7's re_exec stays set once an instruction ran again: a run where the first
    load faults and the second faults too is dropped, not run again (27 executions
    otherwise)."""
    result = pylitmus.check(TWICE, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        "0:X0=1; 0:X1=1;", "0:X0=1; 0:X1=2;", "0:X0=2; 0:X1=2;"]
    assert (result.positive, result.negative) == (0, 15)


EL0_ACCESS = """AArch64 el0
EL0=P0
{
 [n]=4; [PTE(n)]=(oa:PA(n), el0:0);
 0:X1=n; 0:X3=PTE(n); 1:X1=n;
}
 P0          | P1          ;
 LDR W0,[X1] | LDR W0,[X1] ;
 LDR X2,[X3] |             ;
locations [fault(P0,PTE(n));]
forall (fault(P0,n) /\\ 1:X0=4)
"""


def test_el0_threads_fault_on_entries_without_el0_and_on_page_tables():
    """Under fatal P0 stops at its first load (el0:0 entry: a Permission fault); P1, at
    EL1, reads n."""
    result = pylitmus.check(EL0_ACCESS, variant="vmsa")
    assert [state_text(s.values) for s in result.states] == [
        "1:X0=4; Fault(P0,n,D-MMU:Permission); ~Fault(P0,PTE(n));"]
    skipping = pylitmus.check(EL0_ACCESS.replace("EL0=P0", "EL0=P0\nVariant=skip"),
                              variant="vmsa")
    assert "Fault(P0,PTE(n),D-MMU:Permission,EL0);" in state_text(skipping.states[0].values)


CAS = """AArch64 cas
{{
 uint64_t q=1; [PTE(q)]=(oa:PA(q), db:{db});
 0:X1=q; 0:X2=1; 0:X3=2;
}}
 P0              ;
 L0:             ;
 CAS X2,X3,[X1]  ;
locations [q;]
exists (fault(P0:L0,q))
"""


@pytest.mark.parametrize("db, state, executions", [
    (0, "[q]=1; Fault(P0:L0,q,D-MMU:Permission);", 3),  # each alternative faults
    (1, "[q]=2;  ~Fault(P0:L0,q);", 2),  # the success, in its two event shapes
])
def test_each_alternative_of_a_cas_is_translated_as_a_write(db, state, executions):
    """herd7 counts the same (3 faults; 2 successes) on this very text."""
    result = pylitmus.check(CAS.format(db=db), variant="vmsa")
    assert [(state_text(s.values), s.executions) for s in result.states] == \
        [(state, executions)]


SYSTEM_CALL = """AArch64 svc
Variant={handling}
{{ 0:X3=5; }}
 P0          ;
 L0:         ;
 SVC #2      ;
 MOV W3,#1   ;
 L1:         ;
 UDF #0      ;
 MOV W4,#1   ;
exists (fault(P0:L0,SupervisorCall) /\\ fault(P0:L1))
"""


@pytest.mark.parametrize("handling, states", [
    ("fatal", [" Fault(P0:L0,SupervisorCall); ~Fault(P0:L1);"]),  # stops at the SVC
    ("skip", [" Fault(P0:L0,SupervisorCall); Fault(P0:L1,UndefinedInstruction);"]),
    ("handled", []),  # goes on after the SVC; the UDF faults again when run again
])
def test_system_calls_and_undefined_instructions_without_virtual_memory(handling, states):
    """The same states as herd7 on this very text."""
    result = pylitmus.check(SYSTEM_CALL.format(handling=handling))
    assert [state_text(s.values) for s in result.states] == states


# catalogue-vmsa/V2I-W+R-CTRL-TLBI-DSB.ISH-ISB-R's shape: P1 reads x's descriptor and
# tests it against 0, as if an invalid descriptor were 0.
TESTS_THE_DESCRIPTOR = """AArch64 tests-the-descriptor
{
 0:X1=(oa:PA(x), valid:0); 0:X2=PTE(x);
 1:X2=PTE(x); 1:X3=x;
}
 P0          | P1              ;
 STR X1,[X2] | LDR X7,[X2]     ;
             | CMP X7,#0       ;
             | B.EQ over       ;
             | LSR X9,X3,#12   ;
             | TLBI VAAE1IS,X9 ;
             | DSB ISH         ;
             | ISB             ;
             | L0:             ;
             | LDR W4,[X3]     ;
             | over:           ;
exists (1:X7=(oa:PA(x), valid:0) /\\ ~fault(P1:L0,x))
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_descriptor_is_never_equal_to_0(engine):
    """herd7's subtraction of 0 from a descriptor is 1, valid or not: the branch is never
    taken, and the load after the invalid descriptor faults (herd7: 0/3)."""
    result = pylitmus.check(TESTS_THE_DESCRIPTOR, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        "1:X7=(oa:PA(x), valid:0); Fault(P1:L0,x,D-MMU:Translation);",
        "1:X7=(oa:PA(x));  ~Fault(P1:L0,x);",
        "1:X7=(oa:PA(x)); Fault(P1:L0,x,D-MMU:Translation);"]
    assert (result.positive, result.negative) == (0, 3)


def test_a_descriptor_minus_0_is_1():
    """Also with 0 first, and with the flags of 1 - 0 (carry set, so B.HI is taken)."""
    text = """AArch64 minus
{
 int x=0; 0:X2=PTE(x);
}
 P0            ;
 LDR X7,[X2]   ;
 SUB X5,X7,#0  ;
 MOV X6,#0     ;
 SUBS X8,X6,X7 ;
 CMP X7,#0     ;
 B.HI over     ;
 MOV X4,#1     ;
 over:         ;
forall (0:X5=1 /\\ 0:X4=0 /\\ 0:X8=1)
"""
    assert pylitmus.check(text, variant="vmsa").observation == "Always"


@pytest.mark.parametrize("cell, message", [
    ("CMP X7,#1", r"illegal flag-setting operation on \(oa:PA\(x\)\) and 1"),
    ("CMP W7,#0", "illegal operation mask32 on a page-table descriptor"),
])
def test_other_comparisons_of_a_descriptor_are_herd7s_errors(cell, message):
    text = f"AArch64 compares\n{{ int x=0; 0:X2=PTE(x); }}\n P0 ;\n LDR X7,[X2] ;\n {cell} ;\n" \
           "exists (0:X7=0)\n"
    with pytest.raises(LitmusError, match=message):
        pylitmus.check(text, variant="vmsa")


# catalogue-vmsa/coRR-pte9-plus8's shape: P1 unmaps the array x, then maps it to y's
# cells; P0 reads x[2], then x[0].
ARRAYS = """AArch64 arrays
{
 int x[3]={0,0,0};
 int y[3]={1,1,1};
 0:X1=x;
 1:X0=(oa:PA(x),valid:0); 1:X3=PTE(x); 1:X1=x; 1:X4=(oa:PA(y));
}
 P0                | P1              ;
 L1:LDR W2,[X1,#8] | STR X0,[X3]     ;
 L0:LDR W4,[X1]    | DSB ISH         ;
                   | LSR X9,X1,#12   ;
                   | TLBI VAAE1IS,X9 ;
                   | DSB ISH         ;
                   | STR X4,[X3]     ;
exists (0:X2=1 /\\ 0:X4=0 /\\ ~fault(P0:L0,x))
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_an_array_is_mapped_by_one_descriptor(engine):
    """Each load's cell is at its offset from the output address its translation read
    finds. The two loads are at different offsets, so the TLBI does not order their
    translation reads (herd7's same-low-order-bits): reading y[2] through the new
    descriptor and then x[0] through the initial one is allowed (herd7: 1/9)."""
    result = pylitmus.check(ARRAYS, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        "0:X2=0; 0:X4=0;  ~Fault(P0:L0,x);",
        "0:X2=0; 0:X4=0; Fault(P0:L0,x,D-MMU:Translation);",
        "0:X2=0; 0:X4=1;  ~Fault(P0:L0,x);",
        "0:X2=1; 0:X4=0;  ~Fault(P0:L0,x);",
        "0:X2=1; 0:X4=0; Fault(P0:L0,x,D-MMU:Translation);",
        "0:X2=1; 0:X4=1;  ~Fault(P0:L0,x);"]
    assert (result.positive, result.negative) == (1, 9)


def test_a_load_at_the_same_offset_is_ordered_by_the_tlbi():
    """With both loads at x[0], the TLBI orders the two translation reads: reading the new
    descriptor, then the initial one, is forbidden."""
    result = pylitmus.check(ARRAYS.replace("[X1,#8]", "[X1]"), variant="vmsa")
    assert result.positive == 0


def test_a_fault_in_an_array_names_the_cells_address():
    text = """AArch64 array-fault
{
 int x[3]={0,0,0}; [PTE(x)]=(oa:PA(x),valid:0);
 0:X1=x;
}
 P0                ;
 L1:LDR W2,[X1,#8] ;
exists (fault(P0,x))
"""
    result = pylitmus.check(text, variant="vmsa")
    assert [state_text(s.values) for s in result.states] == [
        " Fault(P0:L1,x+8,D-MMU:Translation);"]


# P0 maps x to the page of z, which no location of the test names but the condition may.
UNNAMED_PAGE = """AArch64 unnamed
{{ x=1; 0:X1=(oa:PA(z)); 0:X2=PTE(x); 1:X3=x; {init} }}
 P0          | P1          ;
 STR X1,[X2] | {access} ;
exists (1:X0=0{condition})
"""


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("condition, states", [
    ("", ["1:X0=1;"]),  # z's page has no initial write: nothing to read there
    (" /\\ z=0", ["1:X0=0; [z]=0;", "1:X0=1; [z]=0;"]),
])
def test_a_page_only_a_descriptor_names_holds_nothing(engine, condition, states):
    """As herd7 (herd/mem.ml, get_all_mem_locs): the locations with memory are those of
    the init block, the addresses it gives and those the final state shows, not a page a
    descriptor names; a read translated to such a page has no write to read from (the
    answers are herd7's on these tests)."""
    text = UNNAMED_PAGE.format(init="", access="LDR W0,[X3]", condition=condition)
    result = pylitmus.check(text, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == states
    assert result.positive + result.negative == len(states)


def test_a_write_to_a_page_only_a_descriptor_names_is_refused():
    """herd7 orders such writes in coherence with no initial write first; pylitmus refuses."""
    text = UNNAMED_PAGE.format(init="1:X4=2;", access="STR W4,[X3]", condition="")
    with pytest.raises(LitmusError, match=r"writes to a physical page no location of the "
                                          r"test names \(PA\(z\)\) is not supported yet"):
        pylitmus.check(text, variant="vmsa")


def test_a_fault_atom_names_a_location_of_the_test():
    """herd7 rejects a condition naming a location the init block does not give, fault
    atoms included ("Post-condition introduces new symbolic location(s): {X2}")."""
    text = ("AArch64 T\n{ 0:X4=x; 0:X1=1; }\n P0 ;\n L0: STR W1,[X4] ;\n"
            "exists (fault(P0:L0,X2))\n")
    with pytest.raises(LitmusError, match="location X2 is not a location of the test"):
        pylitmus.check(text, variant="vmsa")
    assert pylitmus.check(text.replace("X2))", "x))"), variant="vmsa").negative == 1


@pytest.mark.parametrize("init, message", [
    ("int pte_y;", r"cannot initialise \[PTE\(y\)\] with 0 \(herd7's error"),
    ("0:X2=PTE(z);", r"the page-table entry of a name that is no location of the test "
                     r"\(PTE\(z\)\) is not supported yet"),
])
def test_entries_herd7_has_no_initial_write_for(init, message):
    """An entry initialised with a value that is no descriptor is herd7's error ("Cannot
    initialize [PTE(y)] with 0"); the entry of a name that is no location has no initial
    write, and herd7 rejects a test reading it on any path of its code ("read on location
    [PTE(z)] does not match any write"), paths pylitmus does not all run: it refuses such
    a test."""
    text = f"AArch64 T\n{{ {init} 0:X1=x; }}\n P0 ;\n LDR W0,[X1] ;\nexists (0:X0=0)\n"
    with pytest.raises(LitmusError, match=message):
        pylitmus.check(text, variant="vmsa")


@pytest.mark.parametrize("engine", ENGINES)
def test_an_entry_given_a_value_makes_no_location(engine):
    """`pte_y=(db:1)` gives y's entry, not y's memory (herd7's add_initpte): x remapped to
    y's page reads nothing there, so only x's 1 is read (herd7: Always 1 0)."""
    text = ("AArch64 T\n{ x=1; 0:X1=x; 0:X2=PTE(y); 0:X3=PTE(x); [PTE(x)]=(db:1);\n"
            "  [PTE(y)]=(db:1); }\n P0 ;\n LDR X5,[X2] ;\n STR X5,[X3] ;\n DSB SY ;\n"
            " LDR W4,[X1] ;\nexists (0:X4=1)\n")
    result = pylitmus.check(text, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == ["0:X4=1;"]
    assert (result.positive, result.negative) == (1, 0)
