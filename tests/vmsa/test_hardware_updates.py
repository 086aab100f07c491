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
        "[PTE(x)]=(oa:PA(x), db:0, dbm:1); ~Fault(P0,x);",
        "[PTE(x)]=(oa:PA(x), dbm:1); ~Fault(P0,x);"]
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


def test_spurious_access_flag_updates_are_refused():
    """herd-kvm/P019's shape: a descriptor valid with its access flag clear, which herd7 lets
    hardware set at any time (three executions, and six with the spurious update)."""
    text = ("AArch64 P019\nTTHM=P0:HA\n{ 0:X1=x; [PTE(x)]=(oa:PA(x), af:0, db:0, dbm:1); }\n"
            " P0 ;\n LDR W0,[X1] ;\nexists (0:X0=0)\n")
    with pytest.raises(LitmusError, match=r"spurious access-flag updates are not supported "
                                          r"yet \(\[PTE\(x\)\] may hold \(oa:PA\(x\), af:0"):
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
