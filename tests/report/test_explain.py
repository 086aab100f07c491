"""`--explain`: the interleavings shown for the examples, and how `--state` picks one."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

import pylitmus
from pylitmus.cli import main
from pylitmus.witness import find_witness, parse_state, shortest_cycle
from tests.report.conftest import EXAMPLES

PTDUMP_OLD_BRANCH = "0:X8=0 /\\ 1:X8=0"  # P1 skips the lock: it fetched the old `B out1`


def explain(*arguments: str) -> str:
    result = CliRunner().invoke(main, ["check", "--format", "herd", "--explain", *arguments])
    assert result.exit_code == 0, result.output
    return result.output.split("\nExplaining ", 1)[1]


def steps(text: str) -> dict[str, str]:
    """Step lines by their event text (`W y = 1`: the whole line)."""
    found = {}
    for line in text.splitlines():
        match = re.match(r"\s*\d+\s+P\d\s+(.+?)\s{2,}", line)
        if match:
            found[match.group(1)] = line
    return found


def test_mp_shows_the_write_of_the_flag_ahead_of_the_data():
    text = explain(str(EXAMPLES / "MP.litmus"))
    assert text.startswith("MP: a witness of exists (1:X2=1 /\\ 1:X0=0)")
    assert "reaching 1:X0=0; 1:X2=1;" in text
    lines = steps(text)
    assert list(lines) == ["W y = 1", "R y = 1", "R x = 0", "W x = 1"]
    assert "* ahead of program order: before W x = 1 (line 9, step 4)" in lines["W y = 1"]
    assert "reads from step 1" in lines["R y = 1"]
    assert "reads the initial value" in lines["R x = 0"]
    assert "ahead" not in lines["R x = 0"] and "ahead" not in lines["W x = 1"]
    assert "  x: init 0 -> P0 1" in text


def test_ptdump_state_shows_the_fetch_of_the_old_branch():
    text = explain("--state", PTDUMP_OLD_BRANCH, str(EXAMPLES / "ptdump.litmus"))
    assert text.startswith("ptdump: the state (0:X8=0 /\\ 1:X8=0)")
    lines = steps(text)
    fetch = lines["fetch P1:L0 = B out1"]
    assert re.match(r"\s*\d+\s+P1\s+fetch P1:L0 = B out1\s+B out1\s+19\s+"
                    r"fetches the initial value", fetch), fetch
    assert "W P1:L0 = NOP" in lines and "DC CVAU P1:L0" in lines and "IC IVAU P1:L0" in lines
    assert "  P1:L0: init B out1 -> P0 NOP" in text


def test_a_never_condition_explains_the_first_state_and_the_forbidding_cycle():
    text = explain(str(EXAMPLES / "MP+dmb.sy.litmus"))
    assert "the first final state" in text and "(the condition never holds)" in text
    assert "reaching 1:X0=0; 1:X2=0;" in text  # the first state of the report
    assert "only reached by candidates the model rejects" in text
    assert "Rejected by the model's check external (acyclic)." in text
    cycle = text.split("Cycle:\n", 1)[1].rstrip("\n").splitlines()
    assert cycle == ["  P0 W x = 1 (line 9)  --bob-->", "  P0 W y = 1 (line 12)  --rf-->",
                     "  P1 R y = 1 (line 8)  --bob-->", "  P1 R x = 0 (line 10)  --fr-->",
                     "  P0 W x = 1 (line 9)"]


def test_hexa_changes_how_the_explanation_prints_not_what_it_explains():
    """`--hexa` only prints numbers in hexadecimal: the first state of the report is found
    and explained as without it (it once printed "No execution to explain.")."""
    text = explain("--hexa", str(EXAMPLES / "MP+dmb.sy.litmus"))
    assert "No execution to explain" not in text
    assert "reaching 1:X0=0x0; 1:X2=0x0;" in text
    assert "The condition's state 1:X0=0x0; 1:X2=0x1; is only reached" in text


def test_a_state_no_execution_reaches_is_explained_as_rejected():
    text = explain("--state", "1:X0=0; 1:X2=1;", str(EXAMPLES / "MP+dmb.sy.litmus"))
    assert "No execution the model allows reaches it" in text
    assert "--fr-->" in text and "--rf-->" in text


def test_witness_api():
    test = pylitmus.parse(str(EXAMPLES / "SB.litmus"))
    witness = find_witness(test)
    assert witness.execution.consistent and witness.rejected is None
    unreachable = find_witness(test, state=parse_state("0:X2=5"))
    assert unreachable.execution is None and "no candidate" in unreachable.note


def test_shortest_cycle():
    assert shortest_cycle([0b10, 0b100, 0b001]) == [0, 1, 2]
    assert shortest_cycle([0b10, 0b1, 0]) == [0, 1]
    assert shortest_cycle([0b10, 0b100, 0]) is None


@pytest.mark.parametrize("arguments, message", [
    (["--state", "0:X0=1"], "--state goes with --explain or --graph"),
    (["--explain", "--format", "json"], "--explain prints text"),
    (["--explain", "--state", "0:X0="], "Invalid value for --state"),
])
def test_misuse_is_a_usage_error(arguments, message):
    result = CliRunner().invoke(main, ["check", *arguments, str(EXAMPLES / "MP.litmus")])
    assert result.exit_code == 2 and message in result.output


def test_a_state_naming_a_missing_thread_fails_that_test():
    result = CliRunner().invoke(main, ["check", "--format", "herd", "--explain", "--state",
                                       "7:X0=1", str(EXAMPLES / "MP.litmus")])
    assert result.exit_code == 2
    assert "cannot explain" in result.output and "thread 7 does not exist" in result.output


def test_translation_reads_tlbis_and_faults_show_as_events():
    """examples/MP+BBM.litmus: translation reads are marked TTD, the TLBI shows its
    operation and page; a fault shows as an event of its own."""
    lines = steps(explain(str(EXAMPLES / "MP+BBM.litmus")))
    assert "TLBI VAAE1IS TLB(a)" in lines
    assert "R PTE(a) = (oa:PA(a)) TTD" in lines
    faulted = explain(str(EXAMPLES / "MP+BBM.litmus"), "--state",
                      "1:X1=0 /\\ 1:X2=0 /\\ fault(P1:L0,a)")
    assert "Fault a D-MMU:Translation" in steps(faulted)
