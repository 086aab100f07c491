"""TLB invalidation under `-variant vmsa`: pages from `LSR #12`, the TLBI-after choice,
TLBI-ordered-before, TLBI-coherence-after and the break-before-make sequence."""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.frontend import ast
from pylitmus.report.herdtext import state_text
from pylitmus.semantics.instructions import shifted
from pylitmus.semantics.values import Addr, PageAddr

ENGINES = ("c", "python")

# P0 breaks a's entry, invalidates its page, then makes it point to b's page and sets a
# flag; P1 reads the flag, then a (catalogue-vmsa/MP+BBM+DSB-ISB+BIS's shape).
BREAK_BEFORE_MAKE = """AArch64 bbm
{
 [b]=1;
 0:X4=PTE(a); 0:X5=(oa:PA(a), valid:0); 0:X6=(oa:PA(b)); 0:X7=a; 0:X8=f;
 1:X3=a; 1:X8=f;
}
 P0               | P1             ;
 STR X5,[X4]      | LDR W1,[X8]    ;
 DSB ISH          | DSB SY         ;
 LSR X9,X7,#12    | ISB            ;
 TLBI VAAE1IS,X9  | L0:            ;
 DSB ISH          | LDR W2,[X3]    ;
 STR X6,[X4]      |                ;
 DSB ISH          |                ;
 MOV W0,#1        |                ;
 STR W0,[X8]      |                ;
exists (1:X1=1 /\\ 1:X2=0 /\\ ~fault(P1:L0,a))
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_break_before_make(engine):
    """Checked by hand (docs/virtual-memory.md, section 3): the flag old needs P1's read
    of a through the initial entry (the TLBI before it) or the broken one (a fault, the
    TLBI either side); the flag new needs the new entry, the TLBI first: 5 executions,
    none reading the old page after the flag, and no break-before-make warning."""
    result = pylitmus.check(BREAK_BEFORE_MAKE, variant="vmsa", engine=engine)
    assert [(state_text(s.values), s.executions) for s in result.states] == [
        ("1:X1=0; 1:X2=0;  ~Fault(P1:L0,a);", 1),
        ("1:X1=0; 1:X2=0; Fault(P1:L0,a,D-MMU:Translation);", 2),
        ("1:X1=0; 1:X2=1;  ~Fault(P1:L0,a);", 1),
        ("1:X1=1; 1:X2=1;  ~Fault(P1:L0,a);", 1)]
    assert (result.positive, result.negative, result.flags) == (0, 5, [])


def test_without_the_break_the_update_needs_it():
    """Without the invalid entry first, the new output address is flagged."""
    text = BREAK_BEFORE_MAKE.replace(" STR X5,[X4]      |", " NOP              |")
    assert pylitmus.check(text, variant="vmsa").flags == ["Warning-BBM-expected"]


def test_a_page_is_an_address_shifted_right_by_12():
    assert shifted(Addr("a"), ast.Shift("LSR", 12), 64) == PageAddr("a")
    assert str(PageAddr("a")) == "TLB(a)"
