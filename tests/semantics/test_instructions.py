"""Each instruction class on a one-thread test: the final registers and memory it must
leave, by the AArch64 architecture (values worked out by hand, not read off pylitmus)."""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.errors import LitmusError
from pylitmus.report.herdtext import state_values


def final_states(code: str, init: str = "", condition: str = "true", variant=()):
    """The final states of a one-thread test, as dicts of location to value, as herd7
    prints them."""
    text = f"AArch64 T\n{{ {init} }}\n P0 ;\n" + "".join(
        f" {line} ;\n" for line in code.strip().splitlines()) + f"forall ({condition})\n"
    result = pylitmus.check(text, variant=variant, engine="python")
    return [dict(state_values(s.values)) for s in result.states], result


def only_state(code: str, init: str, condition: str):
    states, result = final_states(code, init, condition)
    assert result.observation == "Always", states
    return states


# ---- data processing and flags ---------------------------------------------------

@pytest.mark.parametrize("code, condition", [
    ("MOV X0,#5\nADD X1,X0,#3", "0:X1=8"),
    ("MOV X0,#5\nSUB X1,X0,#7", "0:X1=-2"),
    ("MOV W0,#-1", "0:X0=4294967295"),  # a W write zeroes the top half
    ("MOVZ X0,#42,LSL #48", "0:X0=11821949021847552"),
    ("MOV X0,#0\nMOVK X0,#1,LSL #16", "0:X0=65536"),
    ("MOVN X0,#0", "0:X0=-1"),
    ("MOV X0,#6\nEOR X1,X0,#3\nAND X2,X0,#3\nORR X3,X0,#1", "0:X1=5 /\\ 0:X2=2 /\\ 0:X3=7"),
    ("MOV X0,#6\nMVN X1,X0\nNEG X2,X0", "0:X1=-7 /\\ 0:X2=-6"),
    ("MOV X0,#-8\nASR X1,X0,#2\nLSR X2,X0,#60\nLSL X3,X0,#1", "0:X1=-2 /\\ 0:X2=15 /\\ 0:X3=-16"),
    ("MOV X1,#3\nMOV X2,#4\nMUL X0,X1,X2\nMADD X3,X1,X2,X1", "0:X0=12 /\\ 0:X3=15"),
    ("MOVZ X1,#1,LSL #32\nMOV X2,#3\nMUL X0,X1,X2", "0:X0=12884901888"),  # 64 bits
    ("MOV W1,#128\nSBFM X2,X1,#0,#7\nUBFM X3,X1,#4,#7", "0:X2=-128 /\\ 0:X3=8"),
    ("MOV W1,#4660\nREV16 W2,W1\nRBIT W3,W1", "0:X2=13330 /\\ 0:X3=742916096"),
])
def test_alu(code, condition):
    only_state(code, "uint64_t 0:X0; uint64_t 0:X1; uint64_t 0:X2; uint64_t 0:X3;"
               .replace("uint64_t", "int64_t"), condition)


@pytest.mark.parametrize("setup, cond, taken", [
    ("MOV X0,#1\nCMP X0,#1", "EQ", 1), ("MOV X0,#1\nCMP X0,#2", "LT", 1),
    ("MOV X0,#1\nCMP X0,#2", "HI", 0), ("MOV X0,#-1\nCMP X0,#1", "HI", 1),
    ("MOV X0,#-1\nADDS XZR,X0,#1", "EQ", 1), ("MOV X0,#2\nTST X0,#1", "NE", 0),
    ("MOV X0,#0\nSUBS X1,X0,#1", "MI", 1), ("MOV X0,#1\nADDS X1,X0,#1", "PL", 1),
])
def test_flags_and_conditions(setup, cond, taken):
    code = f"{setup}\nCSET X5,{cond}\nMOV X6,#0\nB.{cond} L0\nMOV X6,#2\nL0:"
    only_state(code, "", f"0:X5={taken} /\\ 0:X6={0 if taken else 2}")


@pytest.mark.parametrize("code, condition", [
    ("MOV W1,#0\nCMP W1,#0\nMRS X0,NZCV", "0:X0=1610612736"),  # Z and C: bits 30, 29
    ("MOV X1,#-1\nCMP X1,#0\nMRS X0,NZCV", "0:X0=2684354560"),  # N and C: bits 31, 29
    ("MOV X1,#1\nLSL X1,X1,#28\nMSR NZCV,X1\nCSET X2,VS\nCSET X3,EQ\nMRS X0,NZCV",
     "0:X0=268435456 /\\ 0:X2=1 /\\ 0:X3=0"),
    ("MOV X1,#-1\nMSR NZCV,X1\nMRS X0,NZCV", "0:X0=4026531840"),  # bits 31..28 only
])
def test_flags_as_the_system_register_nzcv(code, condition):
    only_state(code, "uint64_t 0:X0;", condition)


# Load buffering whose dependencies go through the flags: MRS reads all four flags into
# its register, MSR writes each flag from its register (as herd7's dependencies do).
NZCV_LOAD_BUFFERING = """AArch64 LB+nzcv
{{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; }}
 P0             | P1             ;
 LDR W0,[X1]    | LDR W0,[X1]    ;
 CMP W0,#1      | {second}    ;
 MRS X2,NZCV    | MRS X2,NZCV    ;
 EOR X4,X2,X2   | EOR X4,X2,X2   ;
 ADD X4,X4,#1   | ADD X4,X4,#1   ;
 STR W4,[X3]    | STR W4,[X3]    ;
exists (0:X0=1 /\\ 1:X0=1)
"""


@pytest.mark.parametrize("second, observation", [
    ("MSR NZCV,X0", "Never"),  # a data dependency on both sides
    ("MSR NZCV,XZR", "Sometimes"),  # none on P1
])
def test_dependencies_through_nzcv(second, observation):
    result = pylitmus.check(NZCV_LOAD_BUFFERING.format(second=second), engine="python")
    assert result.observation == observation


def test_conditional_select_family():
    code = ("MOV X1,#10\nMOV X2,#20\nCMP X1,X2\nCSEL X3,X1,X2,EQ\nCSINC X4,X1,X2,EQ\n"
            "CSINV X5,X1,X2,EQ\nCSNEG X6,X1,X2,EQ\nCINC X7,X1,NE")
    only_state(code, "int64_t 0:X5; int64_t 0:X6;",
               "0:X3=20 /\\ 0:X4=21 /\\ 0:X5=-21 /\\ 0:X6=-20 /\\ 0:X7=11")


def test_conditional_select_aliases_with_always():
    """CSET, CSETM and CINC are CSINC/CSINV on the inverse of their condition; the inverse
    of AL is NV, which always holds in a conditional select (Arm ARM, ConditionHolds), so
    they select their first source: CSET W0,AL gives 0 (herd7 gives 0 too), CINC Rn."""
    only_state("MOV X1,#10\nCSET X5,AL\nCSETM X6,AL\nCINC X7,X1,AL", "",
               "0:X5=0 /\\ 0:X6=0 /\\ 0:X7=10")


def test_condition_never_is_refused():
    """herd7's AArch64 syntax has no NV condition (`CSET W0,NV` is a syntax error)."""
    with pytest.raises(LitmusError) as error:
        final_states("CSET X5,NV")
    assert "unknown condition NV" in str(error.value)


# ---- loads and stores -------------------------------------------------------------

def test_widths_and_sign_extension():
    # Each location is accessed with its own type's size: herd7 refuses other sizes
    # without --variant mixed (herd/mem.ml, check_sizes).
    init = ("uint8_t b = 0x80; uint16_t h = 0xff80; 0:X1=b; 0:X6=h; "
            "int64_t 0:X3; int64_t 0:X4;")
    code = "LDRB W2,[X1]\nLDRSB X3,[X1]\nLDRSH X4,[X6]\nLDRH W5,[X6]"
    only_state(code, init, "0:X2=128 /\\ 0:X3=-128 /\\ 0:X4=-128 /\\ 0:X5=65408")


def test_addressing_forms():
    init = "uint64_t t[4] = {10,11,12,13}; 0:X1=t; 0:X2=2; 0:X6=t;"
    code = ("LDR X3,[X1,#8]\nLDR X4,[X1,X2,LSL #3]\nLDR X5,[X6],#8\nLDR X7,[X6,#8]!")
    only_state(code, init, "0:X3=11 /\\ 0:X4=12 /\\ 0:X5=10 /\\ 0:X7=12")


def test_store_sizes_and_pairs():
    init = "uint64_t t[2]; uint64_t u[2] = {5,6}; uint8_t b; 0:X1=t; 0:X2=u; 0:X3=0x1ff; 0:X6=b;"
    code = "STRB W3,[X6]\nLDP X4,X5,[X2]\nSTP X5,X4,[X1]"
    only_state(code, init, "b=255 /\\ t[0]=6 /\\ t[1]=5 /\\ 0:X4=5 /\\ 0:X5=6")


# ---- exclusives and atomics ---------------------------------------------------------

def test_store_exclusive_may_fail_but_never_without_load():
    states, _ = final_states("LDXR X2,[X1]\nSTXR W3,X4,[X1]", "uint64_t x; 0:X1=x; 0:X4=7;",
                             "0:X3=0 => [x]=7")
    assert {(s["0:X3"], s["[x]"]) for s in states} == {("0", "7"), ("1", "0")}
    states, _ = final_states("STXR W3,X4,[X1]", "uint64_t x; 0:X1=x; 0:X4=7;",
                             "0:X3=1 /\\ [x]=0")
    assert {(s["0:X3"], s["[x]"]) for s in states} == {("1", "0")}


@pytest.mark.parametrize("code, condition", [
    ("LDADD X2,X3,[X1]", "0:X3=5 /\\ [x]=7"),
    ("SWP X2,X3,[X1]", "0:X3=5 /\\ [x]=2"),
    ("LDCLR X2,X3,[X1]", "[x]=5"),  # 5 & ~2
    ("LDSET X2,X3,[X1]", "[x]=7"),
    ("LDEOR X2,X3,[X1]", "[x]=7"),
    ("STADD X2,[X1]", "[x]=7"),
    ("LDUMAX X2,X3,[X1]", "[x]=5"),
    ("CAS X4,X2,[X1]", "0:X4=5 /\\ [x]=2"),  # X4=5 matches: swap in X2
    ("CAS X5,X2,[X1]", "0:X5=5 /\\ [x]=5"),  # X5=0 does not: X5 gets the old value
])
def test_atomics(code, condition):
    only_state(code, "uint64_t x = 5; 0:X1=x; 0:X2=2; 0:X4=5;", condition)


def test_compare_and_swap_pair():
    init = "uint64_t t[2] = {1,2}; 0:X4=t; 0:X0=1; 0:X1=2; 0:X2=8; 0:X3=9;"
    only_state("CASP X0,X1,X2,X3,[X4]", init, "t[0]=8 /\\ t[1]=9 /\\ 0:X0=1 /\\ 0:X1=2")


# ---- control --------------------------------------------------------------------------

def test_branches_and_calls():
    code = ("MOV X0,#0\nCBZ X0,L1\nMOV X1,#1\nL1:\nTBNZ X0,#0,L2\nBL F\nB L2\nF:\n"
            "MOV X2,#3\nRET\nL2:")
    only_state(code, "", "0:X1=0 /\\ 0:X2=3")


def test_arithmetic_on_an_unlabelled_instructions_address():
    """BL's return address, the unlabelled instruction after it, is a number to herd7
    (100004 in P0's code): 4 more is the instruction after that, where RET goes; the
    final register prints and compares as that number, as herd7 gives."""
    code = "BL F\nMOV X1,#1\nMOV X2,#2\nB L2\nF:\nADD X30,X30,#4\nRET\nL2:"
    only_state(code, "", "0:X1=0 /\\ 0:X2=2 /\\ 0:X30=100008")


@pytest.mark.parametrize("offset", ["#2", "#-8"])
def test_arithmetic_off_the_instructions_is_refused(offset):
    """An address between two instructions, or before the code, is none of them."""
    with pytest.raises(LitmusError, match="arithmetic on the code label P0:@1"):
        final_states(f"BL F\nMOV X1,#1\nF:\nADD X30,X30,{offset}\nRET")


def test_indirect_branch_on_a_register_never_set():
    """herd7 does not know such a register's value while it builds the events: it tries
    each label the test exports and keeps the runs where the value is that label; a register
    never set is 0, no label, so no run is left (herd/AArch64Sem.ml, do_indirect_jump).
    herd7 answers this test with States 0."""
    states, result = final_states("ADR X1,L0\nBR X2\nL0:\nMOV X0,#1", "", "0:X0=1")
    assert states == [] and (result.positive, result.negative) == (0, 0)


def test_telechat_ends_a_thread_on_an_unknown_return():
    """Under -variant telechat, a branch to an unknown target with no exported label ends
    the thread (herd/AArch64Sem.ml: B.Exit), as compiled code's final RET."""
    states, _ = final_states("MOV X0,#1\nRET\nMOV X0,#2", "", "0:X0=1", variant=("telechat",))
    assert states == [{"0:X0": "1"}]


def test_unknown_instruction_is_an_error_naming_it():
    with pytest.raises(LitmusError) as error:
        final_states("FROB X0,X1")
    assert "unknown instruction FROB" in str(error.value)
    assert error.value.line == 4


@pytest.mark.parametrize("cell, message", [
    ("TBZ X0,X1,L", "operand 2 must be an immediate"),
    ("MOVZ X0,X1", "operand 2 must be an immediate"),
    ("CSET X0,X1", "operand 2 must be a condition"),
    ("CSEL X0,X1,X2,XX", "unknown condition XX"),
    ("LSL X0,X1,L", "operand 3 must be an immediate"),
    ("ADR X0,X1", "operand 2 must be a label"),
    ("NOP X0", "operand 1 is not one NOP takes"),
    ("ISB SY", "operand 1 is not one ISB takes"),
    ("B.EQ L,X1", "operand 2 is not one B.EQ takes"),
    ("NEG W2,W1,2", "operand 3 must be a shift or an extend"),
    ("MOVK X0,#1,#0", "operand 3 must be a shift or an extend"),
    ("MOVK X0,#1,ASR #16", "operand 3 must be a shift LSL"),
    ("ADD X0,W0,#1", "mix 32- and 64-bit registers"),
    ("ADD X0,X1,W2", "mix 32- and 64-bit registers"),  # without an extend
    ("MOV W0,X1", "mix 32- and 64-bit registers"),
    ("SWP W0,X1,[X2]", "mix 32- and 64-bit registers"),
    ("LDP W0,X1,[X2]", "mix 32- and 64-bit registers"),
    ("SXTW X0,X1", "mix 32- and 64-bit registers"),
    ("STXR X0,W1,[X2]", "the status register X0 must be a W register"),
    ("LDR W0,[W1]", "the base register W1 must be an X register or SP"),
])
def test_operand_forms_are_checked_before_any_run(cell, message):
    """herd7 parses every instruction first; a form it cannot read (or pylitmus cannot run)
    is refused even where no run goes (the CBNZ jumps over it)."""
    with pytest.raises(LitmusError) as error:
        final_states(f"MOV X0,#1\nCBNZ X0,L\n{cell}\nL:")
    assert message in error.value.message and error.value.line == 6


def test_instructions_as_values_compare_whatever_their_blanks():
    """herd7 compares instructions, not their text: the code `B     L1`, read as data, is
    the value instr:"B .+4"."""
    from pylitmus.semantics.values import InstrBits
    assert InstrBits("B     .+4") == InstrBits("B .+4")
    assert InstrBits("add W0, W0, #1").text == "ADD W0,W0,#1"


@pytest.mark.parametrize("cell", ["CMN X0,#1", "CINV X0,X1,EQ", "CNEG X0,X1,EQ",
                                  "LDURB W0,[X1]", "STURH W0,[X1]", "SXTB X0,W1",
                                  "UXTH W0,W1"])
def test_aliases_herd_does_not_parse_are_unknown(cell):
    """herd7's AArch64 parser has no such instruction ("unexpected 'X0' (in prog)", or
    'SXTB' read as an extend); pylitmus refuses them as unknown, not answering for herd7."""
    with pytest.raises(LitmusError, match="unknown instruction"):
        final_states(cell, "0:X1=x;")


@pytest.mark.parametrize("cell, message", [
    ("MOV W2,W0", "illegal operation mask32 on x"),
    ("CMP W0,#0", "illegal operation mask32 on x"),
    ("MOV W2,W3", 'illegal operation mask32 on label:"P0:L0"'),
    ("STR W3,[X1]", 'illegal operation mask32 on label:"P0:L0"'),
    ("CMP X0,#0", "illegal flag-setting operation on x and 0"),
    ("CMP X5,#0", "illegal flag-setting operation on NOP and 0"),
    ("CMP X0,X5", "illegal flag-setting operation on x and NOP"),
])
def test_symbolic_values_herd_cannot_compute_with(cell, message):
    """herd7 masks what it reads of a W register and cannot mask an address or a label
    ("Illegal operation mask32 on x"); it compares two symbolic values of one kind by
    identity, but takes no number from one, nor one of another kind ("Illegal operation
    readbit63 on x", "Illegal operation - on constants NOP and 0"). herd7 5feffe4 refuses
    each of these; it answers `CMP X0,X4` (two addresses) and `MOV X2,X3`."""
    init = '0:X0=x; 0:X1=y; 0:X4=x; 0:X3=label:"P0:L0"; 0:X5=NOP;'
    with pytest.raises(LitmusError, match=message.replace("(", r"\(")):
        final_states(f"{cell}\nL0:\nNOP", init)
    final_states("CMP X0,X4\nMOV X2,X3\nL0:\nNOP", init)


def test_two_addresses_compare_by_herd7s_order():
    """herd7's difference of two addresses is their order (-1, 0, 1; by name, then
    offset), its flags those of that order minus 0 with C set: x < y sets N (MI) and C
    (HI, CS); x+8 - x is 1, not 8. As herd7 gives on this test."""
    code = ("ADD X6,X0,#8\nSUB X7,X6,X0\nSUBS X8,X0,X1\nCMP X0,X1\nCSET X3,HI\n"
            "CSET X4,MI\nCMP X1,X0\nCSET X5,MI\nCMP X0,X2\nCSET X9,CS")
    only_state(code, "int x[2]; int y; 0:X0=x; 0:X1=y; 0:X2=x;",
               "0:X7=1 /\\ 0:X8=-1 /\\ 0:X3=1 /\\ 0:X4=1 /\\ 0:X5=0 /\\ 0:X9=1")


def test_the_order_of_other_symbolic_values_is_refused():
    """Two labels are equal or not (EQ, NE), but pylitmus does not know herd7's order of
    two different ones (MI, or their difference)."""
    init = '0:X0=label:"P0:L0"; 0:X1=label:"P0:L1";'
    states, _ = final_states("CMP X0,X1\nCSET X2,NE\nL0:\nNOP\nL1:\nNOP", init, "0:X2=1")
    assert states == [{"0:X2": "1"}]
    for cell in ("CMP X0,X1\nCSET X2,MI", "SUB X2,X0,X1"):
        with pytest.raises(LitmusError, match="herd7"):
            final_states(f"{cell}\nL0:\nNOP\nL1:\nNOP", init)


@pytest.mark.parametrize("cell", [
    "ADD W0,W0,#4096", "ADD W0,W0,#-4096", "ADD W0,W0,#1,LSL #1", "ADD X0,XZR,#1",
    "ADD XZR,X0,#1", "SUBS W0,WZR,#1", "CMP WZR,#1", "CMP W0,#4096",
    "ADD W0,W0,W2,ROR #1", "NEG W0,W2,ROR #1", "ADD W0,W0,W2,LSL #64", "AND WZR,W0,#1",
    "ORR W0,W0,#1,LSL #12", "EOR XZR,X0,#1", "MOV W0,#65537", "MOV W0,#4294967295",
    "MOVZ W0,#65536", "MOVZ W0,#1,LSL #32", "MOVZ X0,#1,LSL #8", "MOVK W0,#1,LSL #32",
    "MOVZ W0,#65535", "MOVN W0,#65535", "MOVK W0,#65535", "LSR X0,X2,#64",
    "LDRB X0,[X1]", "STLRH X0,[X1]", "STXRB W3,X0,[X1]", "SWPB X0,X2,[X1]",
    "CASB X0,X2,[X1]", "STADDB X0,[X1]", "LDRB W2,[X1,W2,LSL #0]", "BLR W2", "BR W2"])
def test_forms_herd_parses_but_refuses(cell):
    """herd7's parser takes W data registers only for byte and halfword accesses (but the
    sign-extending loads), X registers only for indirect branches ("unexpected 'X0'");
    it refuses, after parsing, an instruction it finds no encoding for (lib/
    AArch64Base.ml, is_valid: "Illegal instruction"), and stops on MOVZ, MOVN and MOVK
    immediates of 65535 (lib/machSize.ml, is_imm16: n < 65535) and on MOVK shifts other
    than 0, 16 (32, 48 for X); it reads `LSR X0,X2,#64` with OCaml's shifts. herdtools7
    5feffe4 refuses (or answers otherwise) each of these."""
    with pytest.raises(LitmusError, match="herd7 refuses"):
        final_states(f"MOV W2,#2\n{cell}")


@pytest.mark.parametrize("cell", [
    "ADD W0,W0,#4095", "ADD W0,W0,#-4095", "ADD W0,W0,#1,LSL #12", "ADDS XZR,X0,#1",
    "CMP W0,#1,LSL #12", "ADD W0,W0,W2,LSL #63", "ANDS WZR,W0,#1", "TST W0,#1",
    "MOV W0,#65536", "MOV W0,#-65537", "MOV X0,#-4294967297", "MOV W0,#65535",
    "MOVZ X0,#1,LSL #32", "MOVN W0,#1,LSL #16", "MOVK X0,#1,LSL #48", "LSL X0,X2,#63",
    "LDRSB X0,[X1]", "LDRB W0,[X1,W2,UXTW]", "LDRB W0,[X1,X2,LSL #0]"])
def test_forms_herd_takes(cell):
    """The same families within herd7's bounds: herd7 5feffe4 answers each."""
    final_states(cell, "0:X1=x; uint8_t x;")


@pytest.mark.parametrize("form, herd_form", [
    ("B.HS L", "B.CS L"), ("B.LO L", "B.CC L"), ("CSET W0,HS", "CSET W0,CS"),
    ("CSEL W0,W2,W3,LO", "CSEL W0,W2,W3,CC"), ("B.eq L", "B.EQ L"),
    ("Ldr W0,[X1]", "LDR W0,[X1]"), ("MVN W0,W2,LSL #1", "ORN W0,WZR,W2,LSL #1"),
    ("MVN W0,W2,ROR #1", "ORN W0,WZR,W2,ROR #1")])
def test_forms_beyond_herd_read_as_the_assembler_reads_them(form, herd_form):
    """herd7's parser refuses these; the Arm architecture's assembler takes them: HS and
    LO are the condition codes CS and CC, mnemonics and conditions are read in any case,
    and MVN is ORN from the zero register, shift included (Arm ARM, C1.2.4 and MVN). So
    pylitmus gives each the answer herd7 gives its plain form (see the README)."""
    def states(cell, compared):
        code = f"MOV W2,#2\nMOV W3,#3\nCMP W2,#{compared}\n{cell}\nMOV X5,#1\nL:"
        return final_states(code, "0:X1=x;", "0:X0=0 /\\ 0:X5=0")[0]

    for compared in (1, 3):  # carry set, then clear
        assert states(form, compared) == states(herd_form, compared)


@pytest.mark.parametrize("cell", ["LSR X9,X3,#0", "LSL X9,X3,#0", "ASR X9,X3,#0",
                                  "ROR X9,X3,#0"])
def test_a_shift_instruction_of_an_address_by_0_is_herd7s_error(cell):
    """herd7 applies the shift to the address even by 0 and rejects the test ("Illegal
    operation >>> on constants x and 0"); a shift modifier `LSL #0` of an operand is none."""
    text = f"AArch64 T\n{{ 0:X3=x; 0:X4=0; }}\n P0 ;\n {cell} ;\nexists (0:X9=0)\n"
    with pytest.raises(LitmusError, match=r"illegal shift of x"):
        pylitmus.check(text)
    added = text.replace(cell, "ADD X9,X3,X4,LSL #0")
    assert pylitmus.check(added).positive == 0
