"""Fault handlers (`Pn.F` columns), MSR/MRS on ELR_EL1 and ESR_EL1, and ERET: the
outcomes checked by hand against herd7 (docs/virtual-memory.md, section 2.5) on tests of
the same shapes, and what stays refused."""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.errors import LitmusError
from pylitmus.report.herdtext import state_text

ENGINES = ("c", "python")

# herd-kvm/A005's shape: the load faults, the handler runs with the thread's registers
# and returns after the load.
RETURNS = """AArch64 returns
{
 [c]=1; [PTE(c)]=(oa:PA(c), valid:0);
 0:X1=c;
}
 P0          | P0.F           ;
 LDR W0,[X1] | MOV W2,#1      ;
L0:          | ADR X4,L0      ;
 MOV W3,W2   | MSR ELR_EL1,X4 ;
             | ERET           ;
forall (0:X0=0 /\\ 0:X2=1 /\\ 0:X3=1)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_the_handler_runs_after_the_fault_and_returns_to_elr(engine):
    """The handler's MOV reaches the instruction after the ERET (MOV W3,W2): one
    execution, the load's register never written."""
    result = pylitmus.check(RETURNS, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == ["0:X0=0; 0:X2=1; 0:X3=1;"]
    assert (result.positive, result.negative, result.observation) == (1, 0, "Always")


RETURN_ADDRESS = """AArch64 return-address
{
 [c]=1; [PTE(c)]=(oa:PA(c), valid:0);
 0:X1=c;
}
 P0          | P0.F           ;
L0:          | MRS X2,ELR_EL1 ;
 LDR W0,[X1] | MRS X5,ESR_EL1 ;
L1:          | ADR X3,L1      ;
             | MSR ELR_EL1,X3 ;
             | ERET           ;
locations [0:X2; 0:X5;]
forall (0:X0=0)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_elr_holds_the_faulting_instruction(engine):
    """herd-kvm/A006's shape: the fault writes the address of the faulting load into
    ELR_EL1; a data abort leaves ESR_EL1 as it was."""
    result = pylitmus.check(RETURN_ADDRESS, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        '0:X0=0; 0:X2=label:"P0:L0"; 0:X5=0;']


AT_EL1 = """AArch64 at-el1
EL0=P0
{
 [c]=1; [PTE(c)]=(oa:PA(c), el0:0);
 0:X0=c;
}
 P0          | P0.F           ;
 LDR W1,[X0] | LDR W2,[X0]    ;
L1:          | ADR X3,L1      ;
             | MSR ELR_EL1,X3 ;
             | ERET           ;
forall (0:X1=0 /\\ 0:X2=1)
"""


def test_the_handler_runs_at_el1():
    """herd-kvm/F003's shape: the same page faults at EL0 and not in the handler."""
    result = pylitmus.check(AT_EL1, variant="vmsa")
    assert [state_text(s.values) for s in result.states] == ["0:X1=0; 0:X2=1;"]


FAULT_IN_HANDLER = """AArch64 fault-in-handler
{
 [c]=1; [PTE(c)]=(oa:PA(c), valid:0);
 0:X1=c; 1:X1=PTE(c); 1:X2=(oa:PA(c), valid:1);
}
 P0          | P1          | P0.F        ;
 LDR W0,[X1] | STR X2,[X1] | LDR W5,[X1] ;
exists (0:X5=1)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_fault_inside_the_handler_drops_the_run_with_a_warning(engine):
    """As herd7 on this test: the handler's load reads P1's valid descriptor (X5=1), or
    P0's load does (X5=0); the handler's load faulting again gives no execution."""
    result = pylitmus.check(FAULT_IN_HANDLER, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == ["0:X5=0;", "0:X5=1;"]
    assert (result.positive, result.negative) == (1, 1)
    assert result.warnings == ["Fault inside a fault handler, legal outcomes may be missing"]


RETRIES = """AArch64 retries
{
 [c]=1; [PTE(c)]=(oa:PA(c), valid:0);
 0:X1=c; 1:X1=PTE(c); 1:X2=(oa:PA(c), valid:1);
}
 P0          | P1          | P0.F           ;
L0:          | STR X2,[X1] | ADD W2,W2,#1   ;
 LDR W0,[X1] |             | ADR X4,L0      ;
 MOV W3,#1   |             | MSR ELR_EL1,X4 ;
 CBZ W0,L0   |             | ERET           ;
exists (0:X3=1)
"""


@pytest.mark.parametrize("unroll, executions", [(1, 2), (2, 3), (3, 4)])
@pytest.mark.parametrize("engine", ENGINES)
def test_eret_back_to_the_load_counts_against_the_loop_bound(engine, unroll, executions):
    """herd7 places a handler after its thread's code, so an ERET is a jump back, counted
    with the CBZ's jumps to L0: with -unroll n, n + 1 executions (the load faulting 0 to
    n times before it reads the valid descriptor), as herd7 gives; the run faulting once
    more is cut."""
    result = pylitmus.check(RETRIES, variant="vmsa", unroll=unroll, engine=engine)
    assert [state_text(s.values) for s in result.states] == ["0:X3=1;"]
    assert (result.positive, result.negative, result.loop) == (executions, 0, True)


# Under `handled`, with no handler, a faulting load runs again once (herd/mem.ml,
# add_fault): that second run is no jump, so only the CBZ's jumps back count.
REEXECUTED = """AArch64 reexecuted
Variant=vmsa,handled
{
 int x=1; int y=0; [PTE(x)]=(oa:PA(x), valid:0);
 0:X0=x; 0:X3=y; 1:X5=PTE(x); 1:X6=(oa:PA(x), valid:1); 1:X3=y;
}
 P0          | P1          ;
L0:          | STR X6,[X5] ;
 LDR W1,[X0] | MOV W7,#1   ;
 LDR W2,[X3] | STR W7,[X3] ;
 CBZ W2,L0   |             ;
exists (0:X1=1)
"""


@pytest.mark.parametrize("unroll, executions", [(0, 2), (1, 5), (2, 9)])
@pytest.mark.parametrize("engine", ENGINES)
def test_a_handled_reexecution_is_not_counted_against_the_loop_bound(engine, unroll,
                                                                     executions):
    """herd7's figures on this test with -unroll 0, 1 and 2 (Loop Ok, X1=1 always; it
    takes herd7 almost two minutes with -unroll 2)."""
    result = pylitmus.check(REEXECUTED, unroll=unroll, engine=engine)
    assert [state_text(s.values) for s in result.states] == ["0:X1=1;"]
    assert (result.positive, result.negative, result.loop) == (executions, 0, True)


# herd-kvm/F006's shape: the handler returns to the instruction after the faulting one,
# 4 bytes on from the address the fault leaves in ELR_EL1.
SKIPS = """AArch64 skips
{
 int x=1; [PTE(x)]=(valid:0);
 0:X0=x;
}
 P0          | P0.F           ;
 MOV W1,#2   | MRS X4,ELR_EL1 ;
 LDR W1,[X0] | ADD X5,X4,#4   ;
 {last}      | MSR ELR_EL1,X5 ;
             | ERET           ;
forall (0:X1=2 /\\ 0:X3={x3} /\\ 0:X4=100004 /\\ 0:X5=100008)
"""


@pytest.mark.parametrize("last, x3", [("MOV W3,#2", 2), ("", 0)])
@pytest.mark.parametrize("engine", ENGINES)
def test_the_handler_returns_past_the_faulting_instruction(engine, last, x3):
    """The unlabelled load's address is the number 100004 (P0's second word); the ERET
    goes to 100008, the MOV, or the end of the code when the load was last: as herd7."""
    text = SKIPS.replace("{last}", f"{last:11}").replace("{x3}", str(x3))
    result = pylitmus.check(text, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        f"0:X1=2; 0:X3={x3}; 0:X4=100004; 0:X5=100008;"]
    assert (result.positive, result.negative, result.loop) == (1, 0, False)


@pytest.mark.parametrize("text, message", [
    (RETURNS.replace("MOV W2,#1", "MRS X2,SCTLR_EL1"),
     "system register SCTLR_EL1 is not supported yet"),
    # herd7's ERET to a label plus an offset goes to the label, ignoring the offset
    (RETURN_ADDRESS.replace("ADR X3,L1", "ADD X3,X2,#4"),
     r"arithmetic on the code label P0:L0 \(\+ 4\) is not supported yet"),
])
def test_what_stays_refused(text, message):
    with pytest.raises(LitmusError, match=message):
        pylitmus.check(text, variant="vmsa")


# catalogue-faults/SVC-ifetch's shape: P0 patches its own code (a branch over the MOV
# becomes a NOP), then makes a system call whose handler returns at once.
PATCH_THEN_SVC = """AArch64 patch-then-svc
CacheType=DIC
{
 0:X0=instr:"NOP"; 0:X1=P0:L2;
}
 P0          | P0.F ;
 STR W0,[X1] | ERET ;
 DSB ISH     |      ;
 SVC #0      |      ;
L2:          |      ;
 B L1        |      ;
 MOV W9,#1   |      ;
L1:          |      ;
exists (0:X9=0)
"""


@pytest.mark.parametrize("variant, counts", [("ifetch,exs", (1, 1)), ("ifetch,exs,eis", (0, 1))])
@pytest.mark.parametrize("engine", ENGINES)
def test_an_exception_entry_synchronizes_instruction_fetch(engine, variant, counts):
    """With DIC the DSB completes the patch; only a context-synchronizing SVC (eis) then
    makes the fetch of L2 see the NOP, as herd7 gives."""
    result = pylitmus.check(PATCH_THEN_SVC, variant=variant, engine=engine)
    assert (result.positive, result.negative) == counts


def test_a_handler_label_taken_as_data_is_refused():
    text = PATCH_THEN_SVC.replace("0:X1=P0:L2", "0:X1=P0:L9").replace("| ERET ;", "| L9: ERET ;")
    with pytest.raises(LitmusError, match=r"fault-handler code as data \(P0:L9\)"):
        pylitmus.check(text, variant="ifetch")


def test_a_handler_column_names_a_thread_before_it():
    with pytest.raises(LitmusError, match="expected a fault handler column P<n>.F"):
        pylitmus.check(RETURNS.replace("P0.F", "P1.F"), variant="vmsa")


# P1's load orders its second load only through the exception entry (SVC) or return
# (ERET) that follows its control dependency.
SYNCHRONIZING = """AArch64 synchronizing
{
 0:X1=c; 0:X3=d;
 1:X0=d; 1:X2=c;
}
 P0          | P1          | P1.F           ;
 MOV W0,#1   | LDR W1,[X0] | ADR X9,L1      ;
 STR W0,[X1] | CBNZ W1,L0  | MSR ELR_EL1,X9 ;
 DMB ST      | L0:         | ERET           ;
 MOV W2,#1   | SVC #1      |                ;
 STR W2,[X3] | L1:         |                ;
             | LDR W3,[X2] |                ;
exists (1:X1=1 /\\ 1:X3=0)
"""


@pytest.mark.parametrize("variant, observation", [
    ("", "Never"), ("exs", "Sometimes"), ("exs,eis", "Never"), ("exs,eos", "Never")])
@pytest.mark.parametrize("engine", ENGINES)
def test_exception_entry_and_return_synchronize_unless_exs_says_otherwise(
        engine, variant, observation):
    """Both an SVC and an ERET are context-synchronizing (IFB), unless FEAT_ExS is on:
    then an SVC only with eis, an ERET only with eos (as herd7 gives on this test)."""
    result = pylitmus.check(SYNCHRONIZING, variant=variant, engine=engine)
    assert (result.observation, result.negative) == (observation, 3)


CALL_IN_HANDLER = """AArch64 call-in-handler
{
 [c]=1; [PTE(c)]=(oa:PA(c), valid:0);
 0:X1=c;
}
 P0          | P0.F           ;
 LDR W0,[X1] | BL L5          ;
L0:          | ADR X4,L0      ;
 MOV W3,#1   | MSR ELR_EL1,X4 ;
             | ERET           ;
             | L5: MOV W6,#7  ;
             | RET            ;
forall (0:X3=1 /\\ 0:X6=7)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_call_in_the_handler_returns_into_the_handler(engine):
    """BL's return address is the handler's next instruction, not the thread's
    instruction of the same index (as herd7 gives: 1 execution, X3=1, X6=7)."""
    result = pylitmus.check(CALL_IN_HANDLER, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == ["0:X3=1; 0:X6=7;"]
    assert (result.positive, result.negative) == (1, 0)
