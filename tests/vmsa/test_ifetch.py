"""Virtual memory with instruction fetch (`-variant vmsa,ifetch`): `.pagealign`, fetches
translated through the page-table entry of their page of code (`TTD(P0:L0)`), their
faults, and herd7's combining flag. Every expected outcome was checked against herd7 on
the same test (herd-vmsa-ifetch's shapes and small probes)."""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.errors import LitmusError
from pylitmus.frontend import parse_text
from pylitmus.report.herdtext import state_text
from pylitmus.semantics import events as E
from pylitmus.semantics.prepare import prepare

ENGINES = ("c", "python")
FLAG = "combining-vmsa-and-ifetch-is-not-supported"


def outcome(text: str, engine: str = "c", variant: str = "vmsa,ifetch") -> tuple:
    result = pylitmus.check(text, variant=variant, engine=engine)
    return ([state_text(s.values) for s in result.states], result.positive, result.negative,
            result.flags)


def test_pagealign_pads_with_a_branch_to_the_next_page():
    """Off a page's start, `.pagealign` puts `B` to the next page, then leaves the rest of
    the page out; at a page's start it does nothing."""
    test = parse_text("AArch64 T\n{}\n P0 ;\n .pagealign ;\n ADD W0,W0,#1 ;\n .pagealign ;\n"
                      " L1: ADD W0,W0,#2 ;\nforall (0:X0=3)\n")
    thread = test.threads[0]
    assert [instr.text for instr in thread.code] == ["ADD W0,W0,#1", "B .+4092",
                                                     "ADD W0,W0,#2"]
    assert [thread.address(index) for index in range(4)] == [0, 4, 4096, 4100]
    assert thread.labels["L1"] == 2


@pytest.mark.parametrize("variant", ["", "ifetch", "vmsa", "vmsa,ifetch"])
def test_the_padding_branch_runs(variant):
    states, positive, negative, flags = outcome(
        "AArch64 T\n{}\n P0 ;\n ADD W0,W0,#1 ;\n .pagealign ;\n ADD W0,W0,#2 ;\n"
        "forall (0:X0=3)\n", variant=variant)
    assert (states, positive, negative) == (["0:X0=3;"], 1, 0)
    assert flags == ([FLAG] if variant == "vmsa,ifetch" else [])


def test_a_branch_to_a_page_without_code_is_herds_segmentation_fault():
    """herd-vmsa-ifetch/A003: the padding branch goes to a page holding no instruction."""
    with pytest.raises(LitmusError, match="address 0x196a0 does not point to code"):
        pylitmus.check("AArch64 T\n{}\n P0 ;\n ADD W0,W0,#1 ;\n .pagealign ;\n Page0: ;\n"
                       "forall (0:X0=1)\n", variant="vmsa,ifetch")


TWO_PAGES = """AArch64 two-pages
{
TTD(P0:Page0)=(oa:PA(P0:Page0),valid:1);
TTD(P0:Page1)=(oa:PA(P0:Page1),valid:1);
}
P0          ;
Page0:      ;
ADD W0,W0,#1;
.pagealign  ;
Page1:      ;
ADD W0,W0,#2;
.pagealign  ;
NOP         ;
forall 0:X0=3
"""


def test_fetches_read_the_entry_of_their_page_then_its_word():
    """herd-vmsa-ifetch/A009: each instruction on a page with an entry reads the entry,
    branches on it, fetches its word of the page (the padding branch too) and decodes it;
    the NOP on a page without a labelled first instruction is not fetched."""
    prepared = prepare(parse_text(TWO_PAGES), requested=frozenset({"vmsa", "ifetch"}))
    [run] = prepared.runs[0]
    reads = [(ev.instance, ev.loc) for ev in run.events if ev.kind == E.MEM_READ]
    assert reads == [(0, "PTE(P0:Page0)"), (0, "P0:Page0"), (1, "PTE(P0:Page0)"),
                     (1, "P0:Page0+1"), (2, "PTE(P0:Page1)"), (2, "P0:Page1"),
                     (3, "PTE(P0:Page1)"), (3, "P0:Page1+1")]
    events = run.events
    entry, fetch = (ev for ev in events if ev.instance == 0 and ev.kind == E.MEM_READ)
    # herd7's Instr holds accesses to labels' addresses: this fetch reads physical memory.
    assert "TTD" in entry.sets and "Instr" not in fetch.sets and "Exp" not in fetch.sets
    branch = next(ev for ev in events if ev.instance == 0 and ev.kind == E.BRANCH)
    assert {(entry.num, branch.num), (entry.num, fetch.num)} <= set(run.iico_data)
    assert (branch.num, fetch.num) in run.iico_ctrl
    assert not [ev for ev in events if ev.instance == 4 and ev.kind == E.MEM_READ]
    assert prepared.init_memory["P0:Page1+1"].text == "B .+4092"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("field, fault", [("valid:0", "Translation"),
                                          ("af:0", "AccessFlag"), ("x:0", "Permission")])
def test_a_fetch_faults_on_its_entry(engine, field, fault):
    """herd-vmsa-ifetch/A006, A008, A010: the fault stops the thread; herd7 locates it at
    the page's label."""
    text = (f"AArch64 T\n{{\nTTD(P0:Page0)=(oa:PA(P0:Page0),{field});\n}}\n P0 ;\n Page0: ;\n"
            f" ADD W0,W0,#1 ;\nforall Fault(P0:Page0,I-MMU:{fault})\n")
    assert outcome(text, engine) == (
        [f' Fault(P0:Page0,label:"P0:Page0",I-MMU:{fault});'], 1, 0, [FLAG])


@pytest.mark.parametrize("engine", ENGINES)
def test_a_fetch_at_el0_faults_on_an_entry_closed_to_el0(engine):
    text = ("AArch64 T\nEL0=P0\n{\nTTD(P0:Page0)=(oa:PA(P0:Page0),el0:0);\n}\n P0 ;\n"
            " Page0: ;\n ADD W0,W0,#1 ;\nexists fault(P0)\n")
    assert outcome(text, engine) == (
        [' Fault(P0:Page0,label:"P0:Page0",I-MMU:Permission);'], 1, 0, [FLAG])


@pytest.mark.parametrize("engine", ENGINES)
def test_after_a_fetch_fault_fault_to_next_fetches_the_next_word(engine):
    """Both instructions of the invalid page fault; herd7 locates both at the page."""
    text = ("AArch64 T\nVariant=faultToNext\n{\nTTD(P0:Page0)=(oa:PA(P0:Page0),valid:0);\n}\n"
            " P0 ;\n Page0: ;\n ADD W0,W0,#1 ;\n ADD W0,W0,#2 ;\nexists fault(P0)\n")
    assert outcome(text, engine) == (
        [' Fault(P0,label:"P0:Page0",I-MMU:Translation); '
         'Fault(P0:Page0,label:"P0:Page0",I-MMU:Translation);'], 1, 0, [FLAG])


@pytest.mark.parametrize("engine", ENGINES)
def test_a_fetch_faulting_again_when_handled_drops_the_run(engine):
    text = ("AArch64 T\nVariant=handled\n{\nTTD(P1:Page1)=(oa:PA(P1:Page1),valid:0);\n"
            "TTD(P0:Page0)=(oa:PA(P0:Page0),af:0);\n0:X1=x; 1:X1=x;\n}\n"
            " P0 | P1 ;\n Page0: | Page1: ;\n MOV W0,#1 | LDR W0,[X1] ;\n"
            " STR W0,[X1] | LDR W2,[X1] ;\nexists (1:X0=1 /\\ 1:X2=0)\n")
    assert outcome(text, engine) == ([], 0, 0, [])


@pytest.mark.parametrize("engine", ENGINES)
def test_message_passing_with_fetched_code(engine):
    """P1's code is fetched through its entry, a branch and a padding branch included:
    the four outcomes, as herd7."""
    text = ("AArch64 T\n{\nTTD(P1:Page1)=(oa:PA(P1:Page1));\n0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;\n}\n"
            " P0 | P1 ;\n MOV W0,#1 | Page1: ;\n STR W0,[X1] | LDR W0,[X1] ;\n"
            " DMB SY | CBNZ W0,L ;\n MOV W2,#1 | L: ;\n STR W2,[X3] | LDR W2,[X3] ;\n"
            " | .pagealign ;\n | NOP ;\nexists (1:X0=1 /\\ 1:X2=0)\n")
    states, positive, negative, flags = outcome(text, engine)
    assert (len(states), positive, negative, flags) == (4, 1, 3, [FLAG])


@pytest.mark.parametrize("engine", ENGINES)
def test_a_tlbi_with_fetched_code(engine):
    """TLBI VMALLE1IS covers the entries of code too: 96 executions, as herd7."""
    text = ("AArch64 T\n{\nTTD(P1:Page1)=(oa:PA(P1:Page1));\n0:X1=x; 1:X1=x;\n}\n"
            " P0 | P1 ;\n MOV W0,#1 | Page1: ;\n STR W0,[X1] | LDR W0,[X1] ;\n"
            " TLBI VMALLE1IS | LDR W2,[X1] ;\n DSB SY | ;\nexists (1:X0=1 /\\ 1:X2=0)\n")
    states, positive, negative, flags = outcome(text, engine)
    assert (len(states), positive, negative) == (3, 0, 96)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_translated_fetch_is_no_fetch_for_the_model(engine):
    """A translated fetch reads physical memory, outside herd7's Instr: an IC IALLU is
    not ordered with it (IC-after), which would double the executions per fetch: 1/3, as
    herd7."""
    text = ("AArch64 T\n{\nTTD(P1:Page1)=(oa:PA(P1:Page1));\n[PTE(x)]=(oa:PA(x),valid:0);\n"
            "0:X0=(oa:PA(x)); 0:X1=PTE(x); 1:X2=x; 1:X4=y; 0:X4=y;\n}\n"
            " P0 | P1 ;\n STR X0,[X1] | Page1: ;\n DSB SY | LDR W5,[X4] ;\n"
            " IC IALLU | NOP ;\n DSB SY | LDR W3,[X2] ;\n MOV W6,#1 | ;\n STR W6,[X4] | ;\n"
            "exists (1:X5=1 /\\ fault(P1,x))\n")
    states, positive, negative, flags = outcome(text, engine)
    assert (len(states), positive, negative, flags) == (4, 1, 3, [FLAG])


def test_a_data_location_named_like_a_thread_is_data():
    states, positive, negative, flags = outcome(
        "AArch64 T\n{ [PTE(Pa)]=(oa:PA(Pa), valid:0); 0:X1=Pa; }\n P0 ;\n LDR W0,[X1] ;\n"
        "exists fault(P0,Pa)\n")
    assert (states, positive, negative) == ([" Fault(P0,Pa,D-MMU:Translation);"], 1, 0)


def test_the_flag_needs_an_event():
    """herd-vmsa-ifetch/A001 (no event at all) has no flag; a thread with a NOP has."""
    assert outcome("AArch64 T\n{}\n P0 ;\n .pagealign ;\nforall (true)\n")[3] == []
    assert outcome("AArch64 T\n{}\n P0 ;\n NOP ;\nexists (0:X0=0)\n")[3] == [FLAG]


def test_herds_check_of_the_other_pages_of_code():
    """herd7 decodes a fetch against the same word of every page a descriptor maps, and
    stops where one has no instruction there."""
    text = ("AArch64 T\n{\nTTD(P0:Page0)=(oa:PA(P0:Page0));\nTTD(P1:Page1)=(oa:PA(P1:Page1));\n}\n"
            " P0 | P1 ;\n Page0: | Page1: ;\n NOP | NOP ;\n NOP | ;\nexists (0:X0=0)\n")
    with pytest.raises(LitmusError, match="instruction not found by the address 200004"):
        pylitmus.check(text, variant="vmsa,ifetch")


@pytest.mark.parametrize("text, variant, message", [
    ("{ TTD(P0:L0)=(oa:PA(P0:L0)); }\n P0 ;\n L0: NOP ;\nexists (0:X0=0)", "vmsa",
     "page-table entries of code without instruction fetch (variant ifetch) are not"),
    ("{ TTD(P0:L1)=(oa:PA(P0:L1)); }\n P0 ;\n NOP ;\n L1: NOP ;\nexists (0:X0=0)",
     "vmsa,ifetch", "a page-table entry of code but of a label starting a page of code"),
    ("{ TTD(P0:L0)=(oa:PA(P0:L1)); }\n P0 ;\n L0: NOP ;\n .pagealign ;\n L1: NOP ;\n"
     "exists (0:X0=0)", "vmsa,ifetch", "physical addresses of code as values"),
    ("{ TTD(P0:L0)=0; }\n P0 ;\n L0: NOP ;\nexists (0:X0=0)", "vmsa,ifetch",
     "PTE(P0:L0)] with 0 (herd7's error"),  # herd7: "Cannot initialize [PTE(0:L0)] with 0"
    ("{ TTD(P0:L0)=(oa:PA(P0:L0)); 0:X1=PTE(P0:L0); }\n P0 ;\n L0: NOP ;\nexists (0:X0=0)",
     "vmsa,ifetch", "physical addresses of code as values"),
    ("{ TTD(P0:L0)=(oa:PA(P0:L0)); }\n P0 ;\n L0: NOP ;\nexists ([TTD(P0:L0)]=0)",
     "vmsa,ifetch", "physical memory of code in the final part"),
    ("{ 0:X1=x; }\n P0 ;\n LDR W0,[X1] ;\nexists (0:X0=0)", "vmsa,ifetch,TTHM",
     "hardware updates"),
    ("{ }\n P0 | P0.F ;\n NOP | NOP ;\nexists (0:X0=0)", "vmsa,ifetch",
     "fault handlers under virtual memory with instruction fetch"),
    ("{ }\n P0 | P0.F ;\n NOP | NOP ;\n .pagealign | ;\n NOP | ;\nexists (0:X0=0)", "",
     "page alignment in a thread with a fault handler"),
])
def test_what_stays_refused(text, variant, message):
    if variant.endswith(",TTHM"):
        variant, text = variant[:-len(",TTHM")], "TTHM=HA\n" + text
    with pytest.raises(LitmusError, match=message.replace("(", r"\(").replace(")", r"\)")):
        pylitmus.check(f"AArch64 T\n{text}\n", variant=variant)


@pytest.mark.parametrize("entry, states", [("A", ["0:X0=1;"]), ("C", ["0:X0=0;"])])
def test_the_greatest_label_at_a_page_start_names_the_page(entry, states):
    """herd7 names a page by the greatest of the labels at its start: an entry of another
    label there translates nothing."""
    text = (f"AArch64 T\n{{\nTTD(P0:{entry})=(oa:PA(P0:{entry}),valid:0);\n}}\n"
            " P0 ;\n A: ;\n C: ;\n MOV W0,#1 ;\nexists (0:X0=1)\n")
    assert outcome(text)[0] == states


@pytest.mark.parametrize("engine", ENGINES)
def test_a_branch_over_an_invalid_page_and_a_loop(engine):
    """Nothing is fetched from a page the code branches over; a loop on a page fetches
    through its entry at each turn."""
    over = ("AArch64 T\n{\nTTD(P0:Page0)=(oa:PA(P0:Page0));\n"
            "TTD(P0:Page1)=(oa:PA(P0:Page1),valid:0);\n}\n P0 ;\n Page0: ;\n MOV W0,#1 ;\n"
            " B Page2 ;\n .pagealign ;\n Page1: ;\n MOV W1,#1 ;\n MOV W1,#2 ;\n .pagealign ;\n"
            " Page2: ;\n MOV W2,#1 ;\nexists (0:X0=1 /\\ 0:X2=1)\n")
    assert outcome(over, engine) == (["0:X0=1; 0:X2=1;"], 1, 0, [FLAG])
    loop = ("AArch64 T\n{\nTTD(P0:Page0)=(oa:PA(P0:Page0));\n}\n P0 ;\n Page0: ;\n L: ;\n"
            " ADD W0,W0,#1 ;\n CMP W0,#3 ;\n B.NE L ;\nexists (0:X0=3)\n")
    assert outcome(loop, engine) == (["0:X0=3;"], 1, 0, [FLAG])


@pytest.mark.parametrize("engine", ENGINES)
def test_data_and_fetch_faults_in_herds_order(engine):
    text = ("AArch64 T\nVariant=faultToNext\n{\nTTD(P0:Page0)=(oa:PA(P0:Page0));\n"
            "TTD(P0:Page1)=(oa:PA(P0:Page1),valid:0);\n[PTE(x)]=(oa:PA(x),valid:0);\n0:X1=x;\n}\n"
            " P0 ;\n Page0: ;\n LDR W0,[X1] ;\n .pagealign ;\n Page1: ;\n MOV W2,#1 ;\n"
            " MOV W3,#1 ;\nexists fault(P0)\n")
    assert outcome(text, engine)[0] == [
        ' Fault(P0,label:"P0:Page1",I-MMU:Translation); Fault(P0:Page0,x,D-MMU:Translation); '
        'Fault(P0:Page1,label:"P0:Page1",I-MMU:Translation);']


@pytest.mark.parametrize("engine", ENGINES)
def test_an_el0_fetch_run_again_still_faults_on_x(engine):
    """Under handled, the instruction run again after its fault is fetched again: out of
    EL0's check, but `x:0` faults again, and the run is dropped."""
    text = ("AArch64 T\nVariant=handled\nEL0=P0\n{\nTTD(P0:Page0)=(oa:PA(P0:Page0),x:0);\n}\n"
            " P0 ;\n Page0: ;\n MOV W0,#1 ;\nexists (0:X0=1)\n")
    assert outcome(text, engine) == ([], 0, 0, [])
