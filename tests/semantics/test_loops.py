"""herd7's loop bound (`-unroll N`, pylitmus's `--unroll N`) and its `Loop Ok` / `Loop No`.

herd7's rule (herd/mem.ml, `fetch_addr`): in each run, a jump to an address of the
thread's own code from an address at or after it (a backward jump, or a jump to itself)
is counted against the address jumped to — the loop head —, whichever branch makes it;
a conditional branch on a value no read influenced is not counted (`CondJump` on a
determined value), an unconditional or indirect one always is. The jump that would be
the (N+1)th to one head cuts the run there. No execution using a cut run is counted,
but when some candidate execution uses one — a read-from for every read, before the
model, whether the model accepts it or not — herd7 prints `Loop Ok` / `Loop No`
(herd/top_herd.ml) and warns on standard error.

Every expectation below is herd7's answer (herdtools7 5feffe4, `herd7 -unroll N`).
"""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.report.herdtext import state_text

# Wait until two flags clear: two backward branches to one head share its N passes.
TWO_FLAGS = """AArch64 twoflags
{ 0:X1=x; 0:X2=y; 1:X1=x; 1:X2=y; x=1; y=1; }
 P0            | P1          ;
Lwait:         | MOV W0,#0   ;
 LDR W0,[X1]   | STR W0,[X2] ;
 CBNZ W0,Lwait | STR W0,[X1] ;
 LDR W5,[X2]   |             ;
 CBNZ W5,Lwait |             ;
exists (0:X0=0 /\\ 0:X5=0)
"""

# A lock taken with a retry loop: lock held (CBNZ W0) or store-exclusive failed (CBNZ W3).
SPINLOCK = """AArch64 spinlock
{ 0:X1=lock; 0:X4=x; 1:X1=lock; 1:X4=x; }
 P0              | P1            ;
L0:              | MOV W5,#1     ;
 LDAXR W0,[X1]   | STR W5,[X1]   ;
 CBNZ W0,L0      | MOV W6,#2     ;
 MOV W2,#1       | STR W6,[X4]   ;
 STXR W3,W2,[X1] | STLR WZR,[X1] ;
 CBNZ W3,L0      |               ;
 LDR W5,[X4]     |               ;
exists (0:X5=0)
"""

# A seqlock reader: retry while the sequence is odd (TBNZ) or changed (B.NE).
SEQLOCK = """AArch64 seqlock
{ 0:X1=seq; 0:X2=d; 1:X1=seq; 1:X2=d; }
 P0          | P1                ;
 MOV W0,#1   | Lretry:           ;
 STR W0,[X1] | LDR W0,[X1]       ;
 DMB ST      | TBNZ W0,#0,Lretry ;
 MOV W3,#5   | DMB LD            ;
 STR W3,[X2] | LDR W4,[X2]       ;
 DMB ST      | DMB LD            ;
 MOV W0,#2   | LDR W3,[X1]       ;
 STR W0,[X1] | CMP W0,W3         ;
             | B.NE Lretry       ;
exists (1:X4=0 /\\ 1:X0=2)
"""

# A forward branch inside the loop body is not counted, however often it is taken.
FORWARD = """AArch64 forward
{ 0:X1=x; 0:X2=y; 1:X1=x; 1:X2=y; }
 P0            | P1          ;
L0:            | MOV W0,#1   ;
 LDR W0,[X1]   | STR W0,[X1] ;
 CBZ W0,L1     | STR W0,[X2] ;
 ADD W4,W4,#1  |             ;
L1:            |             ;
 LDR W3,[X2]   |             ;
 CBZ W3,L0     |             ;
exists (0:X4=0)
"""

# A branch to itself is a backward jump.
TO_ITSELF = """AArch64 self
{ 0:X1=x; 1:X1=x; }
 P0           | P1          ;
 LDR W0,[X1]  | MOV W0,#1   ;
L0:           | STR W0,[X1] ;
 CBNZ W0,L0   |             ;
exists (0:X0=0)
"""

# A conditional branch on constants is not counted: three passes under --unroll 1.
CONSTANT_CONDITION = """AArch64 const
{ }
 P0           ;
 MOV W0,#3    ;
L0:           ;
 SUB W0,W0,#1 ;
 ADD W1,W1,#1 ;
 CBNZ W0,L0   ;
forall (0:X1=3)
"""

# A register neither the init block nor an instruction set is an unknown to herd7 (0
# once it solves the execution), so a branch deciding on it is counted: with --unroll 1
# the third pass is cut (herd7: States 0, Loop No), with 2 it ends with X4=3.
UNSET_REGISTER = """AArch64 unset
{ }
 P0           ;
L0:           ;
 ADD W4,W4,#1 ;
 CMP W4,#3    ;
 B.NE L0      ;
exists (0:X4=3)
"""

# An unconditional branch is counted even on constants (herd7's L029 too).
UNCONDITIONAL = """AArch64 bconst
{ }
 P0           ;
 MOV W0,#3    ;
L1:           ;
 SUB W0,W0,#1 ;
 CBZ W0,L0    ;
 B L1         ;
L0:           ;
forall (0:X0=0)
"""

# Two loop heads of one thread: each has its own N.
TWO_HEADS = """AArch64 twoheads
{ 0:X1=x; 1:X1=x; }
 P0           | P1          ;
L0:           | MOV W0,#1   ;
 LDR W0,[X1]  | STR W0,[X1] ;
 CBZ W0,L0    | MOV W0,#2   ;
L1:           | STR W0,[X1] ;
 LDR W2,[X1]  |             ;
 CMP W2,#2    |             ;
 B.NE L1      |             ;
exists (0:X0=1 /\\ 0:X2=2)
"""

# Each cut run reads x=2 then x=1 three times: every such candidate breaks coherence
# (the model rejects it), and herd7 still says `Loop`: candidates, not executions.
INCONSISTENT_CUT = """AArch64 corr
{ 0:X1=x; 1:X1=x; }
 P0          | P1           ;
 MOV W0,#1   | L0:          ;
 STR W0,[X1] | LDR W0,[X1]  ;
 MOV W0,#2   | LDR W2,[X1]  ;
 STR W0,[X1] | SUB W3,W0,W2 ;
             | CMP W3,#1    ;
             | B.EQ L0      ;
exists (1:X0=2 /\\ 1:X2=1)
"""

# The cut run reads x=1, which only the run that leaves the loop writes: no candidate.
NO_CANDIDATE = """AArch64 ownrun
{ 0:X1=x; }
 P0          ;
L0:          ;
 LDR W0,[X1] ;
 CBNZ W0,L0  ;
 MOV W2,#1   ;
 STR W2,[X1] ;
exists (x=1)
"""

# Under --unroll 0 the cut run's SWP must read 1, which only its own write (after the
# read, in the same instruction) holds: herd7 does not pair them, so no candidate.
OWN_WRITE = """AArch64 ownswp
{ 0:X1=x; }
 P0             ;
 MOV W2,#1      ;
L0:             ;
 SWP W2,W0,[X1] ;
 CBNZ W0,L0     ;
exists (0:X0=0)
"""

# A candidate whose final state fails the filter is no candidate (`check_filter`): the
# cut run ends with 1:X0=0, so only `filter (x=1)` leaves its candidates.
FILTER_ON_REGISTER = """AArch64 filtered
{ 0:X1=x; 1:X1=x; }
 P0          | P1          ;
 MOV W0,#1   | L0:         ;
 STR W0,[X1] | LDR W0,[X1] ;
             | CBZ W0,L0   ;
filter (1:X0=1)
exists (1:X0=1)
"""
FILTER_ON_MEMORY = FILTER_ON_REGISTER.replace("filter (1:X0=1)", "filter (x=1)")

# RET is an indirect branch: always counted. Called in a loop (on a constant, not
# counted), it jumps back to the instruction after the BL three times. That instruction
# has no label: herd7 names it by its address (thread P0's code starts at 100000).
CALL_IN_LOOP = """AArch64 callloop
{ }
 P0           ;
 MOV W0,#3    ;
L0:           ;
 BL f         ;
 SUB W0,W0,#1 ;
 CBNZ W0,L0   ;
 B end        ;
f:            ;
 ADD W1,W1,#1 ;
 RET          ;
end:          ;
forall (0:X1=3)
"""

# BR to a label held from the start: counted, though nothing was read.
INDIRECT = """AArch64 brloop
{ 0:X2=label:"P0:L0"; }
 P0           ;
 MOV W0,#3    ;
L0:           ;
 SUB W0,W0,#1 ;
 ADD W1,W1,#1 ;
 CBZ W0,end   ;
 BR X2        ;
end:          ;
forall (0:X1=3)
"""

CASES = [
    # test, --unroll, states, loop, positive, negative
    (TWO_FLAGS, 2, {"0:X0=0; 0:X5=0;"}, True, 6, 0),
    (SPINLOCK, 2, {"0:X5=0;", "0:X5=2;"}, True, 3, 13),
    (SEQLOCK, 2, {"1:X0=0; 1:X4=0;", "1:X0=2; 1:X4=5;"}, True, 0, 10),
    (FORWARD, 1, {"0:X4=0;", "0:X4=1;", "0:X4=2;"}, True, 2, 3),
    (FORWARD, 2, {"0:X4=0;", "0:X4=1;", "0:X4=2;", "0:X4=3;"}, True, 3, 6),
    (TO_ITSELF, 1, {"0:X0=0;"}, True, 1, 0),
    (CONSTANT_CONDITION, 1, {"0:X1=3;"}, False, 1, 0),
    (UNSET_REGISTER, 1, set(), True, 0, 0),
    (UNSET_REGISTER, 2, {"0:X4=3;"}, False, 1, 0),
    (UNCONDITIONAL, 1, set(), True, 0, 0),
    (UNCONDITIONAL, 2, {"0:X0=0;"}, False, 1, 0),
    (TWO_HEADS, 1, {"0:X0=1; 0:X2=2;", "0:X0=2; 0:X2=2;"}, True, 4, 2),
    (TWO_HEADS, 2, {"0:X0=1; 0:X2=2;", "0:X0=2; 0:X2=2;"}, True, 9, 3),
    (INCONSISTENT_CUT, 2, {"1:X0=0; 1:X2=0;", "1:X0=0; 1:X2=1;", "1:X0=0; 1:X2=2;",
                           "1:X0=1; 1:X2=1;", "1:X0=1; 1:X2=2;", "1:X0=2; 1:X2=2;"},
     True, 0, 6),
    (NO_CANDIDATE, 2, {"[x]=1;"}, False, 1, 0),
    (OWN_WRITE, 0, {"0:X0=0;"}, False, 1, 0),
    (OWN_WRITE, 2, {"0:X0=0;"}, True, 1, 0),
    (FILTER_ON_REGISTER, 2, {"1:X0=1;"}, False, 3, 0),
    (CALL_IN_LOOP, 2, set(), True, 0, 0),
    (CALL_IN_LOOP, 3, {"0:X1=3;"}, False, 1, 0),
    (INDIRECT, 1, set(), True, 0, 0),
    (INDIRECT, 2, {"0:X1=3;"}, False, 1, 0),
]


def state_lines(result) -> set[str]:
    return {state_text(state.values) for state in result.states}


@pytest.mark.parametrize("engine", ["c", "python"])
@pytest.mark.parametrize("text, unroll, states, loop, positive, negative", CASES,
                         ids=[f"{case[0].split()[1]}-unroll{case[1]}" for case in CASES])
def test_loop_bound_as_herd7(text, unroll, states, loop, positive, negative, engine):
    result = pylitmus.check(text, unroll=unroll, engine=engine)
    assert state_lines(result) == states
    assert (result.loop, result.positive, result.negative) == (loop, positive, negative)
    warned = [w for w in result.warnings if "unrolling limit exceeded" in w]
    assert bool(warned) == loop


def test_a_filter_on_memory_keeps_the_cut_candidates():
    result = pylitmus.check(FILTER_ON_MEMORY, unroll=2)
    assert (result.loop, result.positive, result.negative) == (True, 3, 0)


def test_the_warning_is_herd7s():
    """herd/cli.ml: `%a: unrolling limit exceeded at %s, legal outcomes may be missing.`
    with the file's position and the loop head's label."""
    result = pylitmus.check(TWO_FLAGS)
    assert result.warnings == ['File "<text>": unrolling limit exceeded at Lwait, '
                               "legal outcomes may be missing."]


def test_a_run_time_error_with_a_cut_run_is_still_reported():
    """herd/top_herd.ml, `check_failed_model_kont`: a consistent execution's delayed error is
    raised before the cutoff is looked at. Only P0's cut run writes y=31 (third pass,
    x read as 1); P1, reading it, loads from address 0 — in that execution only."""
    from pylitmus.errors import LitmusError

    text = """AArch64 cuterr
{ 0:X1=x; 0:X2=y; 1:X2=y; 1:X3=0; 2:X1=x; }
 P0             | P1          | P2          ;
L0:             | LDR W0,[X2] | MOV W0,#1   ;
 ADD W5,W5,#10  | CMP W0,#31  | STR W0,[X1] ;
 LDR W0,[X1]    | B.NE end    |             ;
 ADD W6,W5,W0   | LDR W1,[X3] |             ;
 STR W6,[X2]    | end:        |             ;
 CBNZ W0,L0     |             |             ;
exists (1:X0=31)
"""
    with pytest.raises(LitmusError, match="non symbolic address: 0"):
        pylitmus.check(text)
    fine = pylitmus.check(text.replace("LDR W1,[X3]", "NOP"))
    assert (fine.loop, fine.positive, fine.negative) == (True, 0, 2)


@pytest.mark.parametrize("condition, loop", [("exists (1:X0=1)", False),
                                             ("exists (1:X0=0)", True)])
def test_under_speedcheck_only_cut_candidates_that_can_decide_count(condition, loop):
    """herd/mem.ml, `worth_going`: with -speedcheck, a candidate whose final state cannot
    decide the condition is not gone on with. The cut run ends with 1:X0=0."""
    from pylitmus.checker import Options, check_test
    from pylitmus.frontend import parse_text

    text = FILTER_ON_REGISTER.replace("filter (1:X0=1)\nexists (1:X0=1)", condition)
    result = check_test(parse_text(text, "spin.litmus"), Options(speedcheck=True))
    assert result.loop is loop


def test_a_head_without_a_label_is_named_by_its_address():
    (warning,) = pylitmus.check(CALL_IN_LOOP).warnings
    assert "unrolling limit exceeded at ##100008," in warning


def test_the_warning_names_every_head_cut():
    """herd7 names the head of the last candidate it met; pylitmus names each head some
    candidate's cut run stops at, by thread."""
    text = """AArch64 two
{ 0:X1=x; 1:X1=y; x=1; y=1; }
 P0          | P1          ;
La:          | Lb:         ;
 LDR W0,[X1] | LDR W0,[X1] ;
 CBNZ W0,La  | CBNZ W0,Lb  ;
exists (0:X0=0 /\\ 1:X0=0)
"""
    result = pylitmus.check(text)
    assert result.loop and (result.positive, result.negative) == (0, 0)
    assert result.warnings == ['File "<text>": unrolling limit exceeded at La, Lb, '
                               "legal outcomes may be missing."]


def test_loop_in_the_herd_text():
    from pylitmus.report.herd import herd_block
    block = herd_block(pylitmus.check(SEQLOCK))
    assert "\nLoop No\nWitnesses\nPositive: 0 Negative: 10\n" in block


def test_loop_in_json_and_the_terminal_view():
    import io
    import json
    from pathlib import Path

    from rich.console import Console

    from pylitmus.report.json import outcome_record
    from pylitmus.report.rich import verdict_text
    from pylitmus.report.runner import Outcome
    from tests.report.schema import errors

    schema = json.loads((Path(__file__).parents[2] / "docs" / "json-schema.json").read_text())
    looping = Outcome("seqlock.litmus", result=pylitmus.check(SEQLOCK))
    plain = Outcome("const.litmus", result=pylitmus.check(CONSTANT_CONDITION, unroll=1))
    for outcome, loop in ((looping, True), (plain, False)):
        record = outcome_record(outcome)
        assert errors(record, schema, schema) == [] and record["loop"] is loop
    console = Console(file=io.StringIO(), width=100)
    console.print(verdict_text(looping))
    assert "Allowed · Never · Loop No  (0 positive, 10 negative)" in console.file.getvalue()


@pytest.mark.parametrize("line, unroll, positive", [
    ("Unroll=0", 5, 1), ("Unroll=0x3", 0, 4), ("unroll=  4", 2, 5), ("UNROLL=-1", 2, 1)])
def test_the_tests_own_unroll_line_overrides_the_option(line, unroll, positive):
    """herd/parseTest.ml: the test's `Unroll` info (lib/miscParser.ml, unroll_key; its key in
    any case, key_match) replaces -unroll, read with OCaml's int_of_string (so 0x3 is 3).
    herd/mem.ml cuts a jump when its count exceeds the bound, so a negative bound is 0.
    herd7 5feffe4 on this spin loop, with `-unroll` the second figure: Positive 1, 4, 5, 1."""
    text = f"""AArch64 spin
{line}
{{ 0:X1=x; 1:X1=x; }}
 P0          | P1          ;
 MOV W0,#1   | L0:         ;
 STR W0,[X1] | LDR W0,[X1] ;
             | CBZ W0,L0   ;
exists (1:X0=1)
"""
    result = pylitmus.check(text, unroll=unroll)
    assert (result.loop, result.positive, result.negative) == (True, positive, 0)
