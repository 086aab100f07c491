"""Hardware updates of the access flag and dirty bit (`TTHM=`), checked by hand against
herd7 (docs/virtual-memory.md §2.3, §2.4, §3)."""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.errors import LitmusError
from pylitmus.report.herdtext import state_text
from pylitmus.variants import HardwareUpdates, hardware_updates

ENGINES = ("c", "python")


@pytest.mark.parametrize("line, thread0, thread1", [
    ("HA", (True, False), (True, False)),
    ("HD", (True, True), (True, True)),  # HD implies HA
    ("HA HD", (True, True), (True, True)),
    ("P0:HA", (True, False), (False, False)),
    ("P1:HD", (False, False), (True, True)),
    ("P0:HA P0:HD", (True, True), (False, False)),
    ("0:ha P1:Hd", (True, False), (True, True)),
])
def test_the_tthm_line_says_which_threads_hardware_sets_which_flags(line, thread0, thread1):
    updates = hardware_updates(line)
    assert (updates.of(0), updates.of(1)) == (thread0, thread1)
    assert updates.any and not HardwareUpdates().any


@pytest.mark.parametrize("line, column, message", [
    ("HA,HD", 8, "incorrect dirty bit management specification 'HA,HD'"),
    ("HA XY", 9, "'XY' is not a dirty bit management key, keys are SW,HA,HD"),
    ("HA p1:HD", 9, "'p' is not a dirty bit management key, keys are SW,HA,HD"),  # P only
    ("P0:SW", 6, "software management of the flags for one thread (TTHM key P0:SW) is not "
                 "supported yet"),
])
def test_a_bad_tthm_line_is_refused_at_its_word(line, column, message):
    text = f"AArch64 T\nTTHM={line}\n{{ 0:X1=x; }}\n P0 ;\n LDR W0,[X1] ;\nexists (0:X0=0)\n"
    with pytest.raises(LitmusError) as caught:
        pylitmus.check(text, variant="vmsa")
    assert (caught.value.line, caught.value.col, caught.value.message) == (2, column, message)


# herd-kvm/A019 and A029: a CAS that fails (0 is not 42) on a clean page, P0's hardware
# managing the dirty bit; dirtying allowed (dbm:1) or not.
CAS_ON_A_CLEAN_PAGE = """AArch64 clean
TTHM=P0:HD
{{
 0:X1=x; 0:X2=7; 0:X0=42;
 [PTE(x)]=(oa:PA(x), db:0, dbm:{dbm});
}}
 P0             ;
 L0:            ;
 CAS W0,W2,[X1] ;
exists ([PTE(x)]=(oa:PA(x), db:0, dbm:{dbm}) /\\ ~fault(P0,x))
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_failing_cas_may_or_may_not_dirty_the_page(engine):
    """Failing with a write-back dirties the page (the update is forced); failing without
    one dirties it or not: three executions, one keeping db:0."""
    result = pylitmus.check(CAS_ON_A_CLEAN_PAGE.format(dbm=1), variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        "[PTE(x)]=(oa:PA(x), db:0, dbm:1);  ~Fault(P0,x);",
        "[PTE(x)]=(oa:PA(x), dbm:1);  ~Fault(P0,x);"]
    assert (result.positive, result.negative) == (1, 2)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_cas_on_a_page_that_cannot_be_dirtied_faults_in_every_alternative(engine):
    """Success, failure with a write-back, failure without one with and without the
    dirty-bit update: four executions, each a Permission fault."""
    result = pylitmus.check(CAS_ON_A_CLEAN_PAGE.format(dbm=0), variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        "[PTE(x)]=(oa:PA(x), db:0); Fault(P0:L0,x,D-MMU:Permission);"]
    assert (result.positive, result.negative) == (0, 4)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_failing_store_exclusive_still_dirties_the_page(engine):
    """One translation covers the store-exclusive, succeeding or not: both dirty the page."""
    text = ("AArch64 excl\nTTHM=P0:HD\n{ 0:X1=x; [PTE(x)]=(oa:PA(x), db:0, dbm:1); }\n"
            " P0 ;\n LDXR W0,[X1] ;\n STXR W2,W0,[X1] ;\n"
            "exists ([PTE(x)]=(oa:PA(x), dbm:1))\n")
    result = pylitmus.check(text, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == ["[PTE(x)]=(oa:PA(x), dbm:1);"]
    assert (result.positive, result.negative) == (2, 0)


# A CAS failing (0 is not 5) on a valid clean page whose access flag is clear, P0's
# hardware managing the flag only (herd-kvm/P019's shape).
CAS_ON_A_PAGE_NOT_ACCESSED = """AArch64 not-accessed
TTHM=P0:HA
{
 0:X3=x; 0:X4=9; 0:X5=5;
 [PTE(x)]=(oa:PA(x), af:0, db:0);
}
 P0             ;
 CAS W5,W4,[X3] ;
exists ([PTE(x)]=(oa:PA(x), af:0, db:0) /\\ fault(P0,x))
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_spurious_update_may_set_the_access_flag_of_the_initial_descriptor(engine):
    """The three CAS alternatives each fault (a write to a clean page): with no spurious
    update, the flag stays clear (3); with one, the CAS's translation reads the initial
    descriptor or the updated one (3 x 2)."""
    result = pylitmus.check(CAS_ON_A_PAGE_NOT_ACCESSED, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        "[PTE(x)]=(oa:PA(x), af:0, db:0); Fault(P0,x,D-MMU:Permission);",
        "[PTE(x)]=(oa:PA(x), db:0); Fault(P0,x,D-MMU:Permission);"]
    assert (result.positive, result.negative) == (3, 6)


@pytest.mark.parametrize("engine", ENGINES)
def test_a_cas_writing_back_what_it_read_gets_no_spurious_update(engine):
    """A CAS failing on the entry itself (checked against herd7): without a spurious update
    of the initial descriptor, it fails with or without writing it back (2); with one,
    its read and the update's cannot both read the initial write (both atomic), so it
    reads the update and writes back or not (2), or fails without a write-back after
    reading the initial write (1), or writes back the clear-flag descriptor, which the
    update then reads (1: a spurious update reads any write of its value). The write-back
    gets no update of its own, which would make more executions."""
    text = ("AArch64 write-back\nTTHM=HA\n{\n [PTE(x)]=(oa:PA(x), af:0);\n"
            " 0:X1=(oa:PA(z)); 0:X2=PTE(x); 0:X3=(oa:PA(y));\n}\n"
            " P0 ;\n CAS X1,X3,[X2] ;\nexists ([PTE(x)]=(oa:PA(x)))\n")
    result = pylitmus.check(text, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        "[PTE(x)]=(oa:PA(x), af:0);", "[PTE(x)]=(oa:PA(x));"]
    assert (result.positive, result.negative) == (4, 2)


# herd-kvm/A034's shape: P1 clears the access flag of x's descriptor, invalidates the TLB,
# then swaps in a descriptor to y by CAS, while P0 loads x twice; every thread's hardware
# sets the flag (herd7: 70 executions, 3.3 s).
CLEARED_THEN_SWAPPED = """AArch64 bound
TTHM=HA
{
  [x]=3; [y]=4;
  [PTE(x)]=(oa:PA(x));
  0:X3=x; 1:X3=x;
  1:X7=(oa:PA(x),af:0); 1:X8=PTE(x);
  1:X2=(oa:PA(y));
}
  P0           | P1              ;
   LDR W5,[X3] | STR X7,[X8]     ;
   LDR W6,[X3] | DSB ISH         ;
               | LSR X9,X3,#12   ;
               | TLBI VAAE1IS,X9 ;
               | DSB ISH         ;
               | CAS X7,X2,[X8]  ;
exists (0:X5=4 /\\ 0:X6=3)
"""


@pytest.mark.parametrize("engine", ENGINES)
def test_spurious_updates_of_a_stored_descriptor_count_as_herd7_counts(engine):
    """With or without a spurious update of P1's store (the CAS's write-back of what it
    read gets none), times the translation reads' writes, the TLBI orientations and the
    coherence orders: herd7's 70 executions."""
    result = pylitmus.check(CLEARED_THEN_SWAPPED, variant="vmsa", engine=engine)
    assert [state_text(s.values) for s in result.states] == [
        "0:X5=3; 0:X6=3;", "0:X5=3; 0:X6=4;", "0:X5=4; 0:X6=4;"]
    assert (result.positive, result.negative) == (0, 70)


def test_a_value_that_is_not_a_descriptor_in_a_table_under_hardware_updates_is_refused():
    """herd7 would try a spurious update of it; pylitmus refuses, naming the value."""
    text = ("AArch64 not-a-descriptor\nTTHM=HA\n{ 0:X1=PTE(x); 0:X2=3; }\n"
            " P0 ;\n STR X2,[X1] ;\nexists ([PTE(x)]=3)\n")
    with pytest.raises(LitmusError, match=r"spurious access-flag updates of a value that is "
                                          r"not a descriptor are not supported yet"):
        pylitmus.check(text, variant="vmsa")


def test_explain_shows_the_update_and_the_atomic_translation_read(tmp_path):
    from click.testing import CliRunner

    from pylitmus.cli import main
    path = tmp_path / "clean.litmus"
    path.write_text(CAS_ON_A_CLEAN_PAGE.format(dbm=1))
    result = CliRunner().invoke(main, ["check", "--variant", "vmsa", "--explain", "--state",
                                       "[PTE(x)]=(oa:PA(x), dbm:1)", str(path)])
    assert result.exit_code == 0, result.output
    assert "R PTE(x) = (oa:PA(x), db:0, dbm:1) TTD AF+DB" in result.output
    assert "W PTE(x) = (oa:PA(x), dbm:1) HU AF+DB" in result.output


def test_explain_names_spurious_updates_hw(tmp_path):
    import re

    from click.testing import CliRunner

    from pylitmus.cli import main
    path = tmp_path / "not-accessed.litmus"
    path.write_text(CAS_ON_A_PAGE_NOT_ACCESSED)
    result = CliRunner().invoke(main, ["check", "--variant", "vmsa", "--explain", "--state",
                                       "[PTE(x)]=(oa:PA(x), db:0)", str(path)])
    assert result.exit_code == 0, result.output
    assert re.search(r"\bhw +W PTE\(x\) = \(oa:PA\(x\), db:0\) HU AF +spurious access-flag "
                     r"update", result.output), result.output
