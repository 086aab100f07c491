"""Enhanced translation synchronization (variants ets2, ets3): checked against herd7 on
catalogue-ets3's S+tlbi-sync shape under each variant."""

from __future__ import annotations

import pytest

import pylitmus

ENGINES = ("c", "python")

# P0 makes x writable, invalidates its TLB entry and then flags y; P1 sees the flag and
# its store to x takes a permission fault (the descriptor it read is the old one).
STALE_PERMISSION = """AArch64 stale-permission
{
 [PTE(x)]=(oa:PA(x), db:0);
 0:X0=PTE(x); 0:X1=(oa:PA(x)); 0:X3=y; 0:X4=x;
 1:X3=y; 1:X4=x;
}
 P0              | P1               ;
 STR X1,[X0]     | LDR W2,[X3]      ;
 DSB ISH         | MOV W5,#1        ;
 LSR X5,X4,#12   | L00: STR W5,[X4] ;
 TLBI VAAE1IS,X5 |                  ;
 DSB ISH         |                  ;
 MOV W2,#1       |                  ;
 STR W2,[X3]     |                  ;
exists (1:X2=1 /\\ fault(P1:L00,x))
"""


@pytest.mark.parametrize("variant, observation", [
    ("vmsa", "Sometimes"), ("vmsa,ets2", "Sometimes"), ("vmsa,ets3", "Never")])
@pytest.mark.parametrize("engine", ENGINES)
def test_ets3_orders_a_permission_fault_after_what_precedes_it(engine, variant, observation):
    """ETS2's ets-ob covers the faults no TLB caches (Translation, AccessFlag), ETS3's
    every MMU fault: only under ets3 is P1's load ordered before the translation read
    of its faulting store, which then must see the new descriptor."""
    result = pylitmus.check(STALE_PERMISSION, variant=variant, engine=engine)
    assert (result.observation, result.negative) == (observation, 5)
