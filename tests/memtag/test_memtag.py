"""Memory tagging (`-variant memtag`): tag checks of explicit accesses, their faults in
each precision, STG and LDG, the model's tag clauses, and what stays refused. Counts and
states checked against herd7 on tests of the same shapes."""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.errors import LitmusError
from pylitmus.report.herdtext import state_text
from pylitmus.semantics.values import Addr, Tag, herd_text

ENGINES = ("c", "python")

LOAD = """AArch64 load
{{
 {init}
 0:X1=x:{colour};
}}
 P0          ;
L0:          ;
 LDR W0,[X1] ;
 MOV W2,#1   ;
{final}
"""


def states(result) -> list[str]:
    return [state_text(s.values) for s in result.states]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_load_through_a_pointer_of_another_colour_faults(engine):
    """x's tag is green: a load through x:red takes a synchronous TagCheck fault, shown
    with the pointer's tag, and (fatal) the thread stops."""
    result = pylitmus.check(LOAD.format(init="", colour="red",
                                        final="forall (fault(P0:L0,x,TagCheck) /\\ 0:X2=0)"),
                            variant="memtag", engine=engine)
    assert states(result) == ["0:X2=0; Fault(P0:L0,x:red,TagCheck);"]
    assert (result.positive, result.negative, result.observation) == (1, 0, "Always")


@pytest.mark.parametrize("engine", ENGINES)
def test_a_load_through_a_pointer_of_the_tag_of_its_location_goes_through(engine):
    result = pylitmus.check(LOAD.format(init="[tag(x)]=:blue; x=3;", colour="blue",
                                        final="forall (0:X0=3 /\\ ~fault(P0,x))"),
                            variant="memtag", engine=engine)
    assert states(result) == ["0:X0=3;  ~Fault(P0,x);"]
    assert result.observation == "Always"


def test_the_tag_check_read_and_branch_come_before_the_access():
    """herd7's events: the tag read (implicit, in T) takes the address register's value,
    the branch the tag read's and the address's, and controls the load."""
    prepared = pylitmus.checker.prepare_test(
        pylitmus.parse(LOAD.format(init="", colour="green", final="exists (0:X0=0)")),
        pylitmus.checker.Options(frozenset({"memtag"})))
    (run,) = prepared.runs[0]
    events = run.events
    tag_read = next(ev for ev in events if ev.loc == "tag(x)")
    load = next(ev for ev in events if ev.loc == "x")
    branch = next(ev for ev in events if ev.kind == "B")
    address = next(ev for ev in events if ev.kind == "Rreg" and "ADDR" in ev.sets)
    assert tag_read.sets >= {"T"} and "Exp" not in tag_read.sets
    assert tag_read.value == Tag("green")
    assert {(address.num, tag_read.num), (tag_read.num, branch.num),
            (address.num, branch.num), (address.num, load.num)} <= set(run.iico_data)
    assert (branch.num, load.num) in run.iico_ctrl


STORE = """AArch64 store
Variant={variant}
{{
 0:X1=x:red;
}}
 P0          ;
 MOV W0,#1   ;
 STR W0,[X1] ;
 MOV W2,#1   ;
forall ([x]=1 /\\ 0:TFSR_ELx=1 /\\ 0:X2=1)
"""


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("precision", ("async", "asym"))
def test_an_asynchronous_tag_check_fault_sets_tfsr_and_the_store_is_made(engine, precision):
    result = pylitmus.check(STORE.format(variant=f"memtag,{precision}"), engine=engine)
    assert states(result) == ["0:X2=1; 0:TFSR_ELx=1; [x]=1;"]
    assert result.observation == "Always"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_synchronous_store_fault_makes_no_store(engine):
    result = pylitmus.check(STORE.format(variant="memtag,sync"), engine=engine)
    assert states(result) == ["0:X2=0; 0:TFSR_ELx=0; [x]=0;"]
    assert result.observation == "Never"


@pytest.mark.parametrize("engine", ENGINES)
def test_stg_then_ldg(engine):
    result = pylitmus.check("""AArch64 tags
{
 0:X0=x:red; 0:X1=x:green; 0:X2=x:blue;
}
 P0          ;
 STG X0,[X1] ;
 LDG X2,[X1] ;
forall (0:X2=x:red /\\ [tag(x)]=:red)
""", variant="memtag", engine=engine)
    assert states(result) == ["0:X2=x:red; [tag(x)]=:red;"]
    assert result.observation == "Always"


# catalogue-ets3/ETS3.MP+dmb.sttp's shape: P0 retags x, then writes y; P1 reads y, then
# x through a red pointer.
MP_TAG = """AArch64 MP-tag
Variant=memtag{ets}
{{
 0:X0=x:red; 0:X1=x:green; 0:X3=y:green;
 1:X1=x:red; 1:X3=y:green;
}}
 P0          | P1          ;
 STG X0,[X1] | LDR W2,[X3] ;
 DMB ST      | L00:        ;
 MOV W2,#1   | LDR W4,[X1] ;
 STR W2,[X3] |             ;
exists (1:X2=1 /\\ fault(P1:L00,x))
"""


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("ets", "positive"), ((",ets3", 0), ("", 1)))
def test_ets3_orders_a_read_before_a_later_tag_check_fault(engine, ets, positive):
    """Under ETS3 a tag-check fault's tag read is ordered after the accesses before it:
    seeing y=1 and then the old tag is forbidden; without ETS3 it is allowed."""
    result = pylitmus.check(MP_TAG.format(ets=ets), engine=engine)
    assert result.positive == positive
    assert "1:X2=0; Fault(P1:L00,x:red,TagCheck);" in states(result)


def test_tagged_values_print_as_herd7_prints_them():
    assert herd_text(Addr("x", tag="red")) == "x:red"
    assert herd_text(Addr("x", 16, "green")) == "x:green+16"
    assert herd_text(Tag("blue")) == ":blue"


# A load-exclusive and store-exclusive, a CAS, through a red pointer while P1 retags x red.
EXCLUSIVE = """AArch64 X1
{
 0:X1=x:red; 1:X1=x:green; 1:X0=x:red;
}
 P0               | P1          ;
 MOV W2,#1        | STG X0,[X1] ;
 LDXR W0,[X1]     |             ;
 STXR W3,W2,[X1]  |             ;
exists (0:X3=0 /\\ [x]=1)
"""
CAS = """AArch64 C1
{
 0:X1=x:red; 1:X1=x:green; 1:X0=x:red;
}
 P0               | P1          ;
 MOV W2,#1        | STG X0,[X1] ;
 MOV W0,#0        | MOV W3,#5   ;
 CAS W0,W2,[X1]   | STR W3,[X1] ;
exists (0:X0=0 /\\ [x]=1)
"""


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("text", "variant", "counts"), (
    (EXCLUSIVE, "memtag", (1, 3)),
    # store-only: the load is not checked (no fault where it reads the old tag)
    (EXCLUSIVE, "memtag,store-only", (1, 2)),
    (CAS, "memtag", (2, 3)),
    # store-only: a failing CAS may or may not check the tag
    (CAS, "memtag,store-only", (2, 3)),
))
def test_exclusives_and_cas_are_tag_checked(engine, text, variant, counts):
    result = pylitmus.check(text, variant=variant, engine=engine)
    assert (result.positive, result.negative) == counts


@pytest.mark.parametrize("engine", ENGINES)
def test_irg_makes_one_run_per_tag_the_mask_allows(engine):
    result = pylitmus.check("""AArch64 irg
{
 0:X0=x:blue;
 int64_t 0:X2={:red,:blue};
}
 P0           ;
 IRG X1,X0,X2 ;
forall (not (0:X1=x:red) /\\ not (0:X1=x:blue))
""", variant="memtag", engine=engine)
    assert states(result) == [f"0:X1=x:{tag};" for tag in
                              ("black", "cyan", "green", "magenta", "white", "yellow")]
    assert (result.positive, result.negative) == (6, 0)


@pytest.mark.parametrize(("text", "variant", "message"), (
    (LOAD.format(init="", colour="red", final="exists (0:X0=0)"), "",
     r"memory tagging without variant memtag \(x:red\) is not supported yet"),
    ("AArch64 T\n{ int x[4]; 0:X0=x:red; }\n P0 ;\n STZG X0,[X0] ;\nexists (true)\n", "memtag",
     r"herd7 refuses an array location and STZG without -variant mixed"),
    ("AArch64 T\n{ 0:X0=x:red; }\n P0 ;\n LDR W1,[X0] ;\nexists (true)\n", "memtag,vmsa",
     r"memory tagging under virtual memory \(variants memtag and vmsa\) is not supported"),
    ("AArch64 T\n{ 0:X0=x:red; }\n P0 ;\n ST2G X0,[X0] ;\nexists (true)\n", "memtag",
     r"herd7 refuses ST2G without -variant mixed"),
    ("AArch64 T\n{ 0:X0=x:red; }\n P0 ;\n LDP W1,W2,[X0],#8 ;\nexists (true)\n", "memtag",
     r"LDP with writeback under memory tagging is not supported yet"),
    ("AArch64 T\n{ 0:X0=x:red; }\n P0 ;\n STXP W3,W1,W2,[X0] ;\nexists (true)\n", "memtag",
     r"STXP under memory tagging is not supported yet"),
))
def test_what_stays_refused(text, variant, message):
    with pytest.raises(LitmusError, match=message):
        pylitmus.check(text, variant=variant)


# herd-mte/B009's shape: an array of two 16-byte granules, the second retagged red.
GRANULES = """AArch64 granules
{{
 int x[8]={{1,2,3,4,5,6,7,8}};
 0:X0=x:green; 0:X1=x:red;
}}
 P0                ;
 STG X1,[X0,#16]   ;
 DSB SY            ;
 MOV W2,#9         ;
 STR W2,[{store}]  ;
forall {final}
"""


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("store", "final", "shown"), (
    ("X0,#16", "fault(P0,x)", " Fault(P0,x:green+16,TagCheck);"),  # green into red
    ("X0,#12", "~fault(P0,x)", "  ~Fault(P0,x);"),  # the first granule's last word
    ("X1,#16", "~fault(P0,x)", "  ~Fault(P0,x);"),
))
def test_an_array_has_a_tag_per_granule(engine, store, final, shown):
    result = pylitmus.check(GRANULES.format(store=store, final=final), variant="memtag",
                            engine=engine)
    assert states(result) == [shown]
    assert result.observation == "Always"


@pytest.mark.parametrize("engine", ENGINES)
def test_stzg_retags_and_zeroes(engine):
    """herd-mte/L03's shape: STZG writes the tag and a zero, unchecked; the load through
    the new tag reads the zero."""
    result = pylitmus.check("""AArch64 stzg
{
 int x=1;
 0:X1=x:green; 0:X2=x:red;
}
 P0             ;
 MOV W0,#2      ;
 STZG X2,[X1]   ;
 LDR W0,[X2]    ;
forall (0:X0=0 /\\ [x]=0 /\\ [tag(x)]=:red)
""", variant="memtag", engine=engine)
    assert states(result) == ["0:X0=0; [x]=0; [tag(x)]=:red;"]
    assert result.observation == "Always"


@pytest.mark.parametrize("engine", ENGINES)
def test_st2g_and_stz2g_under_mixed(engine):
    """herd-mte/L02's shape: the tags of two granules, and their 32 bytes zeroed; the
    stores through the new tag go through."""
    result = pylitmus.check("""AArch64 stz2g
{
 int x[8]={1,2,3,4,5,6,7,8};
 0:X1=x; 0:X2=x:red;
}
 P0              ;
 STZ2G X2,[X1]   ;
 MOV W0,#9       ;
 STR W0,[X2]     ;
 STR W0,[X2,#28] ;
forall (x={9,0,0,0,0,0,0,9} /\\ [tag(x+16)]=:red)
""", variant="memtag,mixed", engine=engine)
    assert states(result) == ["x={9,0,0,0,0,0,0,9}; [tag(x+16)]=:red;"]
    assert result.observation == "Always"


@pytest.mark.parametrize("engine", ENGINES)
def test_a_tag_written_by_the_run_itself_is_read_under_mixed(engine):
    """herd-mte/B015's shape: the stores' tag checks read the tags ST2G wrote; the value
    fixpoint must count those writes (no data write precedes them)."""
    result = pylitmus.check("""AArch64 st2g
{
 int x[8]={1,2,3,4,5,6,7,8};
 0:X1=x; 0:X2=x:red;
}
 P0              ;
 ST2G X2,[X1]    ;
 MOV W0,#9       ;
 STR W0,[X2]     ;
 STR W0,[X2,#28] ;
forall x={9,2,3,4,5,6,7,9}
""", variant="memtag,mixed", engine=engine)
    assert states(result) == ["x={9,2,3,4,5,6,7,9};"]
    assert (result.positive, result.negative) == (1, 0)


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("variant", "shown"), (
    ("memtag", "0:X5=0; 0:X6=0; Fault(P0,x:red,TagCheck);"),
    # asynchronous: the pair is made all the same
    ("memtag,async", "0:X5=1; 0:X6=2;  ~Fault(P0,x);"),
))
def test_one_tag_check_covers_a_pair(engine, variant, shown):
    result = pylitmus.check("""AArch64 pair
{
 uint64_t x[2]={1,2};
 0:X1=x:red;
}
 P0              ;
 LDP X5,X6,[X1]  ;
locations [0:X5; 0:X6;]
exists (fault(P0,x))
""", variant=variant, engine=engine)
    assert states(result) == [shown]


def test_the_tag_of_a_value_that_is_no_address_refuses_the_test():
    """STG of a register the init block sets to a tag, not a tagged address: herd7 rejects
    the whole test ("Illegal tagged operation tagextract on :red"), whatever the
    executions; pylitmus refuses it too."""
    text = ("AArch64 T\n{ 0:X0=:red; 0:X1=x; }\n P0 ;\n STG X0,[X1] ;\n"
            "exists (0:X0=0)\n")
    with pytest.raises(LitmusError, match=r"the memory tag of :red \(not an address\)"):
        pylitmus.check(text, variant="memtag")
