"""herd7's variants (pylitmus/variants.py): names, aliases and case as herd7's
`herd/variant.ml`; each one implemented, without effect, or refused naming what is missing."""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.errors import LitmusError
from pylitmus.variants import VariantError, cache_type, in_force, parse_variants

MP = """AArch64 MP
{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }
 P0          | P1          ;
 MOV W0,#1   | LDR W0,[X1] ;
 STR W0,[X1] | LDR W2,[X3] ;
 MOV W2,#1   |             ;
 STR W2,[X3] |             ;
exists (1:X0=1 /\\ 1:X2=0)
"""


def test_aliases_and_case_give_herd7s_names():
    # herd7 lower-cases a tag before matching it: "self" and "Ifetch" are ifetch,
    # "precise" is the fault handling "fatal" (lib/fault.ml), T05 a cat-file flag.
    assert parse_variants("Ifetch, self") == {"ifetch"}
    assert parse_variants("Mixed") == {"mixed"}
    assert parse_variants("precise,FATAL T05") == {"fatal", "T05"}


@pytest.mark.parametrize("text,fragment", [
    ("NoPteBranch", "virtual memory without a branch on each descriptor (variant NoPteBranch) "
                    "is not supported yet"),
    ("pte2", "page tables of page tables (variant pte2) are not supported yet"),
    ("unaligned", "unaligned or unchecked mixed-size accesses (variant unaligned) are not "
                  "supported yet"),
    ("ets", "enhanced translation synchronization without ETS2 or ETS3 (variant ets)"),
    ("morello", "Morello capabilities (variant morello) are not supported yet"),
    ("sve:256", "the Scalable Vector Extension (variant sve:256)"),
    ("sve:100", "100 is not a valid SVE vector length"),
    ("cos-opt", "herd7's mode cos-opt (variant cos-opt)"),
    ("idc", "idc is not a variant: DIC and IDC come from a test's CacheType= line"),
    ("bogus", "unknown variant bogus (herd7's variants: success,"),
    ("t5", "unknown variant t5"),  # herd7's numbered flags have two digits
])
def test_refused_variants_name_what_is_missing(text, fragment):
    with pytest.raises(VariantError) as caught:
        parse_variants(text)
    assert fragment in caught.value.message


def test_cache_type_as_herd7_reads_it():
    # herd7's lib/cacheType.mll: keys DIC and IDC in any case, blank-separated; DIC implies IDC.
    assert cache_type("dic") == {"DIC", "IDC"}
    assert cache_type(" IDC ") == {"IDC"}
    assert cache_type("") == frozenset()
    with pytest.raises(VariantError, match="incorrect cache-type feature specification"):
        cache_type("DIC,IDC")
    with pytest.raises(VariantError, match="'PIPT' is not a cache-type key"):
        cache_type("PIPT")


def test_variants_in_force_join_the_request_and_the_test_lines():
    meta = {"Variant": "self", "CacheType": "DIC"}
    assert in_force(meta, frozenset({"precise"})) == {"ifetch", "fatal", "DIC", "IDC"}


def test_the_result_lists_the_variants_in_force():
    assert pylitmus.check(MP, variant="fatal,lkmmv2").variant == ["fatal", "lkmmv2"]


def test_no_effect_variants_keep_the_verdict():
    """fatal is herd7's default fault handling (and without virtual memory no fault
    arises); specialx0, lkmmv2, exp, T05 are read only by other architectures' semantics
    or by cat files other than the Arm model."""
    plain = pylitmus.check(MP)
    for variant in ("fatal", "specialx0", "lkmmv2", "exp", "T05"):
        other = pylitmus.check(MP, variant=variant)
        assert (other.states, other.positive, other.negative) == \
            (plain.states, plain.positive, plain.negative)


def test_a_requested_variant_pylitmus_lacks_is_refused():
    with pytest.raises(LitmusError, match=r"128-bit descriptors \(variant d128\)"):
        pylitmus.check(MP, variant="d128")


TELECHAT = """AArch64 telechat
{ 0:X1=x; }
 P0          ;
 BL f        ;
 MOV W0,#1   ;
 STR W0,[X1] ;
 B end       ;
 f:          ;
 RET         ;
 end:        ;
exists (x=0)
"""


def test_telechat_ends_the_thread_at_a_bare_ret():
    """herd7's AArch64Sem.ml: under telechat, `RET` without a register is an exit, even
    where X30 holds a return address (herd7 -variant telechat: Always 1 0)."""
    assert pylitmus.check(TELECHAT, variant="telechat").observation == "Always"
    assert pylitmus.check(TELECHAT).observation == "Never"


def test_telechat_follows_an_indirect_branch_to_a_known_label():
    """Under telechat, an indirect branch on a register that holds a label (from the init
    block) goes there; only an unknown target ends the thread (herd/AArch64Sem.ml,
    do_indirect_jump; herd7 -variant telechat: Always 1 0)."""
    text = """AArch64 v
{ 0:X1=P0:L0; }
 P0      ;
 BR X1   ;
 L0:     ;
 NOP     ;
exists (0:X0=0)
"""
    result = pylitmus.check(text, variant="telechat")
    assert (result.observation, result.positive, result.negative) == ("Always", 1, 0)
