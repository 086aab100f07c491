"""Tests of the litmus front end: one small text per construct, then the shared corpus."""

from __future__ import annotations

import json

import pytest

from pylitmus.errors import LitmusError
from pylitmus.frontend import ast, parse_file, parse_text
from tests.conformance.corpus import CORPUS


def litmus(init: str = "", table: str = "P0 ;\n NOP ;", final: str = "exists (0:X0=0)",
           header: str = "AArch64 T") -> str:
    return f"{header}\n{{\n{init}\n}}\n{table}\n{final}\n"


def parse(text: str) -> ast.Test:
    return parse_text(text, "t.litmus")


def syntax_error(text: str) -> LitmusError:
    with pytest.raises(LitmusError) as caught:
        parse(text)
    return caught.value


def only_instruction(cell: str) -> ast.Instruction:
    (instruction,) = parse(litmus(table=f"P0 ;\n {cell} ;")).threads[0].code
    return instruction


def operands(cell: str) -> tuple:
    return only_instruction(cell).operands


def condition(final: str) -> ast.Expr:
    return parse(litmus(final=final)).condition.expr


def init_items(init: str) -> list:
    return parse(litmus(init=init)).init


def strip_pos(item):
    """The interesting fields of an init item, positions left out."""
    def target(t):
        return (t.thread, t.reg) if isinstance(t, ast.RegRef) else (t.name, t.index)
    if isinstance(item, ast.Decl):
        return ("decl", item.ctype, target(item.target), item.array_size)
    return (type(item).__name__, target(item.target), item.value)


# ---- header -------------------------------------------------------------------------------


def test_header_name_description_and_metadata():
    text = litmus(header='AArch64 MP+dmb.sy+po:x-y_z[1]/a\n"Rfe PodRR Fre"\nVariant=ifetch\n'
                         'cachetype=DIC\nHash=abc=def\nSafe=Rfe\nMyKey = some value')
    test = parse(text)
    assert test.arch == "AArch64"
    assert test.name == "MP+dmb.sy+po:x-y_z[1]/a"
    assert test.description == "Rfe PodRR Fre"
    assert test.meta == {"Variant": "ifetch", "CacheType": "DIC", "Hash": "abc=def",
                         "Safe": "Rfe", "MyKey": "some value"}
    assert test.file == "t.litmus"


def test_a_key_given_twice_is_refused_unless_the_test_has_a_hash():
    """herd7 checks duplicated keys when it computes a test's hash, and reads the first."""
    twice = "AArch64 T\nSafe=Rfe\nsafe=Fre"
    with pytest.raises(LitmusError, match="duplicated meta-data on key safe") as caught:
        parse(litmus(header=twice))
    assert (caught.value.line, caught.value.col) == (3, 1)
    assert parse(litmus(header=twice + "\nHash=abc")).meta == {"Safe": "Rfe", "Hash": "abc"}


def test_init_items_without_a_value_start_at_zero():
    """herd7's `atom: location`: a location or register alone holds 0."""
    test = parse(litmus(init="x; 0:X2; 0:X1=x"))
    assert [(type(item).__name__, item.value) for item in test.init] == [
        ("InitMem", ast.Int(0)), ("InitReg", ast.Int(0)), ("InitReg", ast.Sym("x"))]


def test_metadata_lines_start_a_line():
    """herd7's splitter (lib/splitter.mll, find_init) reads KEY=value at the start of a line
    only; an indented one is some other text, skipped."""
    assert parse(litmus(header="AArch64 T\n CacheType=DIC")).meta == {}


def test_nested_comments_anywhere():
    text = ("AArch64 T (* a (* nested *) comment *)\n(* header\n comment *)\n"
            "{ (* c *) 0:X1=x; (* c *) }\n"
            " P0 (* c *) | P1 ;\n (* c *) | (* c *) ;\n STR X0,[X1] (* c *) | NOP ;\n"
            "exists (* c *) (0:X0=0) (* after (* the *) end *)\n")
    test = parse(text)
    assert test.name == "T"
    assert [len(t.code) for t in test.threads] == [1, 1]


def test_header_comments_as_herds_splitter_reads_them():
    """lib/splitter.mll, find_init: the lexer's longest match reads `(*` as text up to a `{`
    or a line end, unless `{` or the line end follows it at once: only then is it a comment.
    A `{` in a KEY=value line belongs to the value. herd7 5feffe4 checks the first test."""
    test = parse(litmus(header="AArch64 T\n(*{ a brace *)\n(*\n { another *)\nCom={x}"))
    assert test.meta == {"Com": "{x}"}
    error = syntax_error(litmus(header="AArch64 T\n(* a { brace *)"))
    assert "herd7 takes this '{' in a comment" in error.message


def test_unsupported_architecture():
    error = syntax_error("X86 SB\n{ x=0; }\n P0 ;\n MOV [x],$1 ;\nexists (x=1)\n")
    assert error.message == ("architecture X86 is not supported yet "
                             "(pylitmus checks AArch64 tests)")
    assert (error.line, error.col) == (1, 1)
    for arch in ("PPC", "RISCV", "C"):
        assert "not supported yet" in syntax_error(f"{arch} T\n{{}}\n").message


def test_first_line_that_is_no_header():
    error = syntax_error("../tests/MP.litmus\n")
    assert "expected a first line 'AArch64 NAME'" in error.message


def test_litmus_suffix_is_not_part_of_the_name():
    assert parse(litmus(header="AArch64 MP.litmus")).name == "MP"


def test_missing_test_name():
    assert "missing test name" in syntax_error("AArch64\n{}\n").message


@pytest.mark.parametrize("header", ["AArch64 MP+po;", 'AArch64 MP+po (mp) "doc" ;',
                                    "AArch64 MP+po(mp)", 'AArch64 MP+po;\n"text, after the ;"'])
def test_first_line_as_herd_splits_it(header):
    """herd7's first line (lib/splitter.mll): ARCH NAME, an optional (texname), an optional
    "doc" and an optional `;`; NAME is made of letters, digits and _/.-+[]:."""
    assert parse(litmus(header=header)).name == "MP+po"


@pytest.mark.parametrize("header", ["AArch64 ;", "AArch64 @MP", "AArch64 (tex)"])
def test_a_test_name_that_is_no_name(header):
    assert "expected a test name" in syntax_error(litmus(header=header)).message


# ---- init block -----------------------------------------------------------------------------


def test_init_register_values():
    items = init_items('0:X1=x; 0:x2=1; 1:X3=0x10; 1:W4=-3; 0: X5 = P1:L0;\n'
                       '0:X6=label:"P1:L2"; 0:X7=instr:"B .+8"; 0:X8=NOP; 0:X9=1:m1;'
                       ' 0:sp=y; 0:X10=x[1]; 0:X11=label:"0:L1"')
    assert [strip_pos(i) for i in items] == [
        ("InitReg", (0, "X1"), ast.Sym("x")),
        ("InitReg", (0, "X2"), ast.Int(1)),
        ("InitReg", (1, "X3"), ast.Int(16)),
        ("InitReg", (1, "W4"), ast.Int(-3)),
        ("InitReg", (0, "X5"), ast.CodeLabel(1, "L0")),
        ("InitReg", (0, "X6"), ast.CodeLabel(1, "L2")),
        ("InitReg", (0, "X7"), ast.InstrValue("B .+8")),
        ("InitReg", (0, "X8"), ast.InstrValue("NOP")),
        ("InitReg", (0, "X9"), ast.CodeLabel(1, "m1")),
        ("InitReg", (0, "SP"), ast.Sym("y")),
        ("InitReg", (0, "X10"), ast.Sym("x", 1)),
        ("InitReg", (0, "X11"), ast.CodeLabel(0, "L1")),
    ]


def test_init_memory_values():
    """`*z=3` gives z herd7's pointer type (TyDefPointer, 64 bits: a 32-bit read of it is
    herd7's "Illegal mixed-size test"), and its value."""
    items = init_items("x=1; [y]=2; *z=3; p=x; [q]=P0:L0")
    assert [strip_pos(i) for i in items] == [
        ("InitMem", ("x", None), ast.Int(1)),
        ("InitMem", ("y", None), ast.Int(2)),
        ("decl", "*", ("z", None), None),
        ("InitMem", ("z", None), ast.Int(3)),
        ("InitMem", ("p", None), ast.Sym("x")),
        ("InitMem", ("q", None), ast.CodeLabel(0, "L0")),
    ]


def test_init_typed_declarations():
    items = init_items("uint64_t x; int y = -1; int *p = &x; int64_t* q=y;\n"
                       "uint8_t t[2]; int64_t v[2] = {1, -2}; int64_t 0:X0 = 42;\n"
                       "ins_t *0:X3; uint32_t 1:x4=0xffffffff")
    assert [strip_pos(i) for i in items] == [
        ("decl", "uint64_t", ("x", None), None),
        ("decl", "int", ("y", None), None),
        ("InitMem", ("y", None), ast.Int(-1)),
        ("decl", "int*", ("p", None), None),
        ("InitMem", ("p", None), ast.Sym("x")),
        ("decl", "int64_t*", ("q", None), None),
        ("InitMem", ("q", None), ast.Sym("y")),
        ("decl", "uint8_t", ("t", None), 2),
        ("decl", "int64_t", ("v", None), 2),
        ("InitMem", ("v", None), (ast.Int(1), ast.Int(-2))),
        ("decl", "int64_t", (0, "X0"), None),
        ("InitReg", (0, "X0"), ast.Int(42)),
        ("decl", "ins_t*", (0, "X3"), None),
        ("decl", "uint32_t", (1, "X4"), None),
        ("InitReg", (1, "X4"), ast.Int(0xFFFFFFFF)),
    ]


def test_init_separators():
    """herd7's init_semi_list (lib/stateParser.mly): one ';' between items, at most two at
    the end; a new line separates nothing."""
    items = init_items("0:X0=1;\n0:X1=2 ; 0:X2=3;\n\n   x=1\n;;")
    assert len(items) == 4
    assert init_items(";") == []
    for init in ("0:X0=1\n0:X1=2", "0:X0=1;; 0:X1=2", "; 0:X0=1", "0:X0=1;;;"):
        assert "in the init block" in syntax_error(litmus(init=init)).message
    assert init_items("") == []
    assert len(parse("AArch64 T\n{ 0:X0=1 }\nP0;\nNOP;\nexists (0:X0=1)").init) == 1


def test_init_symbolic_register():
    (decl, value) = init_items("uint64_t %P0_x=x")
    assert decl.target.thread is None and decl.target.reg == "%P0_x"
    assert isinstance(value, ast.InitReg) and value.value == ast.Sym("x")


def test_init_positions():
    test = parse("AArch64 T\n{\n  0:X1 = x;\n uint64_t  y;\n}\nP0;\nNOP;\nexists (0:X1=x)\n")
    init_reg, decl = test.init
    assert (init_reg.pos.line, init_reg.pos.col) == (3, 3)
    assert (decl.pos.line, decl.pos.col) == (4, 2)
    assert (decl.target.pos.line, decl.target.pos.col) == (4, 12)


def test_init_indexed_scalar_is_an_error():
    error = syntax_error(litmus(init="int64_t v[2] = {1, 2}; v[3] = 3"))
    assert error.message.startswith("unexpected '['")


# ---- thread table -----------------------------------------------------------------------------


def test_thread_table_shapes():
    table = (" P0      | P1 ;\n"
             " L0:     |    ;\n"
             " MOV W0,#1 | L1: L2: B L1 ;\n"
             "         | Lend: ;")
    test = parse(litmus(table=table))
    p0, p1 = test.threads
    assert (p0.index, p1.index) == (0, 1)
    assert [i.mnemonic for i in p0.code] == ["MOV"]
    assert p0.labels == {"L0": 0}
    assert [i.mnemonic for i in p1.code] == ["B"]
    assert p1.labels == {"L1": 0, "L2": 0, "Lend": 1}
    assert (p0.pos.line, p0.pos.col) == (5, 2)
    assert (p1.pos.line, p1.pos.col) == (5, 12)


def test_thread_header_without_spaces_and_empty_rows():
    test = parse("AArch64 T\n{}\nP0;\n ;\nl1:l2:B l0;\n\nl0: ;\nexists (0:X0=0)")
    (thread,) = test.threads
    assert thread.labels == {"l1": 0, "l2": 0, "l0": 1}


def test_instruction_text_and_position():
    test = parse(litmus(table="P0 | P1 ;\n L0: ldr\tx1, [x2] (* c *) | NOP ;"))
    instruction = test.threads[0].code[0]
    assert instruction.mnemonic == "LDR"
    assert instruction.text == "ldr\tx1, [x2]"
    assert (instruction.pos.line, instruction.pos.col) == (6, 6)


def test_registers_and_immediates():
    assert operands("MOV w0,#1") == (ast.Reg("W0"), ast.Imm(1))
    assert operands("ADD X0,SP,#16") == (ast.Reg("X0"), ast.Reg("SP"), ast.Imm(16))
    assert operands("SUB XZR,WZR,#-8") == (ast.Reg("XZR"), ast.Reg("WZR"), ast.Imm(-8))
    assert operands("MOV W0,1") == (ast.Reg("W0"), ast.Imm(1))


@pytest.mark.parametrize("init,fits", [
    ("x=9223372036854775807", True), ("x=9223372036854775808", False),
    ("x=-9223372036854775808", True), ("x=-9223372036854775809", False),
    ("x=0xffffffffffffffff", True), ("x=0x10000000000000000", False), ("x=-0x10", False)])
def test_value_literals_in_herds_range(init, fits):
    """herd7 reads init and condition numbers with OCaml's Int64.of_string: a decimal is a
    signed 64-bit integer, a hexadecimal fits in 64 bits, and a '-' takes a decimal only."""
    if fits:
        assert init_items(init)
    else:
        assert "fit in 64 bits" in syntax_error(litmus(init=init)).message \
            or "in decimal only" in syntax_error(litmus(init=init)).message


@pytest.mark.parametrize("init", ["0:X0=- 16", '0:X0=label: "P0:L0"', '0:X0=label:\n"P0:L0"',
                                  '0:X0=label :"P0:L0"', '0:X0=instr: "NOP"',
                                  '0:X0=label:"P0: L0"', '0:X0=label:"P0:L0 "'])
def test_tokens_herds_lexer_reads_whole(init):
    """lib/stateLexer.mll reads `'-'? digit+`, `"label:" '"' 'P'? decimal ':' [^'"']+ '"'`
    and `"instr:" '"' [^'"']+ '"'` as one token each, with no blank inside (herd7 5feffe4:
    "Lex error Init lex" for the first five, "Label  L0 not found" for the last two)."""
    error = syntax_error(litmus(init=init, table="P0 ;\n L0: NOP ;"))
    assert "unexpected character" in error.message or "expected label:" in error.message


@pytest.mark.parametrize("init", ["TTD(0:L0)=(oa:PA(P0:L0))", "TTD(P0:L0)=(oa:PA(0:L0))",
                                  "0:X1=PTE(0:L0)"])
def test_the_page_of_a_label_is_named_by_its_thread(init):
    """`PTE(P0:L0)`, `PA(P0:L0)`: herd7's parser takes the thread as `P0` there, never as
    `0` (herd7 5feffe4: "unexpected '0' (in init)")."""
    error = syntax_error(litmus(init=init, table="P0 ;\n L0: NOP ;"))
    assert error.message == "unexpected '0' in the init block (expected a name)"


def test_a_pointer_location_takes_no_descriptor():
    """`*x = v` (herd7's TyDefPointer) takes a value but no descriptor (herd7 5feffe4:
    "unexpected '(' (in init)")."""
    error = syntax_error(litmus(init="*pte_x=(oa:PA(x))"))
    assert (error.line, error.col) == (3, 8)
    assert error.message.startswith("unexpected '(' in the init block")


@pytest.mark.parametrize("descriptor", ["(af:1, af:1)", "(oa:PA(x), oa:PA(y))",
                                        "(oa:PA(x), attrs:(Normal), af:0, af:1)"])
def test_a_descriptor_field_given_twice_is_herd7s_error(descriptor):
    """herd7 rejects it at the closing parenthesis ("multiple defintion or property af",
    herd7 5feffe4); `attrs` twice it takes, with the attributes of both lists."""
    error = syntax_error(litmus(init=f"0:X1={descriptor}; x=1; y=2;"))
    assert (error.line, error.col) == (3, len("0:X1=") + len(descriptor))
    assert error.message.startswith("multiple definition of the descriptor field")
    assert init_items("0:X1=(attrs:(iNC), attrs:(oNC))")[0].value.attrs == ("iNC", "oNC")


@pytest.mark.parametrize("final, message", [
    ("exists (0:X0=x/\\ 0:X1=0)", "unexpected character '\\'"),
    ("locations [x;];\nexists (x=0)", "unexpected 'exists'"),
    ("locations [x;];\nfilter (x=0)\nexists (x=0)", "unexpected 'filter'"),
])
def test_the_final_part_lexed_and_ended_as_herd7_does(final, message):
    """herd7's names go on over '/', '.' and '-' (`x/` then a lone '\\': "Lex error"), and a
    ';' after `locations [...]` ends the test ("unexpected 'exists'", herd7 5feffe4)."""
    error = syntax_error(litmus(init="0:X1=x;", final=final))
    assert error.message.startswith(message)
    assert parse(litmus(init="0:X1=x;", final="locations [x;];"))


def test_nop_is_a_value_never_a_location():
    """herd7's init lexer reads NOP as an instruction value (TOK_NOP): as an item alone it
    is "unexpected 'NOP' (in init)"."""
    assert init_items("0:X0=NOP;")[0].value == ast.InstrValue("NOP")
    error = syntax_error(litmus(init="0:X0;NOP;"))
    assert (error.line, error.col) == (3, 6)
    assert "'NOP' is a keyword" in error.message


def test_immediates_in_herds_range():
    """herd7's AArch64 lexer reads `#` and decimal digits into an OCaml int (63 bits); a
    hexadecimal immediate is a syntax error there (lib/AArch64Lexer.mll)."""
    assert operands("MOV X0,#4611686018427387903") == (ast.Reg("X0"), ast.Imm((1 << 62) - 1))
    assert "out of herd7's range" in syntax_error(
        litmus(table="P0 ;\n MOV X0,#4611686018427387904 ;")).message
    assert "decimal only" in syntax_error(litmus(table="P0 ;\n MOV W1,#0x80 ;")).message
    assert "unexpected character '#'" in syntax_error(litmus(table="P0 ;\n MOV W1,# 8 ;")).message


def test_shifts_and_extends():
    assert operands("NEG W2,W1,LSL 2") == (ast.Reg("W2"), ast.Reg("W1"), ast.Shift("LSL", 2))
    assert operands("ADD X0,X1,X2,lsl #3")[-1] == ast.Shift("LSL", 3)
    assert operands("ADD X0,X1,W2,SXTW")[-1] == ast.Shift("SXTW", None)
    assert operands("ADDS X0,X1,X2, ASR #1")[-1] == ast.Shift("ASR", 1)
    assert operands("MOVZ X0,#1, LSL#16")[-1] == ast.Shift("LSL", 16)


def test_memory_operands():
    x1, x2, w2 = ast.Reg("X1"), ast.Reg("X2"), ast.Reg("W2")
    assert operands("LDR X0,[X1]")[1] == ast.Mem(x1, None, None)
    assert operands("LDR X0,[X1,#8]")[1] == ast.Mem(x1, ast.Imm(8), None)
    assert operands("LDR X0,[X1,X2]")[1] == ast.Mem(x1, x2, None)
    assert operands("LDR X0,[X1,X2,LSL #3]")[1] == ast.Mem(x1, x2, ast.Shift("LSL", 3))
    assert operands("LDR X0,[X1, W2, SXTW]")[1] == ast.Mem(x1, w2, ast.Shift("SXTW", None))
    assert operands("LDR X0,[X1,#8]!")[1] == ast.Mem(x1, ast.Imm(8), None, writeback=True)
    assert operands("LDP X3,X4,[X1],#16") == (
        ast.Reg("X3"), ast.Reg("X4"), ast.Mem(x1, None, None), ast.Imm(16))
    assert operands("STR W1,[X%P0_x]")[1] == ast.Mem(ast.Reg("X%P0_x"), None, None)


def test_names_and_pc_offsets():
    assert operands("DMB ISHLD") == (ast.Name("ISHLD"),)
    assert operands("DC CVAU,X0") == (ast.Name("CVAU"), ast.Reg("X0"))
    assert operands("IC IALLU") == (ast.Name("IALLU"),)
    assert operands("CSEL W0,W1,W2,EQ")[-1] == ast.Name("EQ")
    assert operands("CBNZ X1,Lout") == (ast.Reg("X1"), ast.Name("Lout"))
    assert operands("B .+8") == (ast.PcOffset(8),)
    assert operands("B.GT .-8") == (ast.PcOffset(-8),)
    assert operands("B .text") == (ast.Name(".text"),)
    assert only_instruction("b.eq L0").mnemonic == "B.EQ"
    assert operands("ISB") == ()
    assert operands("MOV X0, %symbolic_reg") == (ast.Reg("X0"), ast.Reg("%symbolic_reg"))


def test_unknown_mnemonics_are_accepted_with_generic_operands():
    assert only_instruction("FROB X1, [X2], #4").mnemonic == "FROB"


# ---- final part -------------------------------------------------------------------------------


def atom(target, value):
    return ("atom", target, value)


def simplify(expr):
    """An expression with positions stripped, for comparisons."""
    if isinstance(expr, ast.Atom):
        target = expr.target
        key = (target.thread, target.reg) if isinstance(target, ast.RegRef) else (
            target.name, target.index)
        return atom(key, expr.value)
    if isinstance(expr, ast.Not):
        return ("not", simplify(expr.arg))
    if isinstance(expr, (ast.And, ast.Or, ast.Implies)):
        return (type(expr).__name__, simplify(expr.left), simplify(expr.right))
    return expr


def test_atoms():
    assert simplify(condition("exists (0:X0=1)")) == atom((0, "X0"), ast.Int(1))
    assert simplify(condition("exists 0: X3 = 1")) == atom((0, "X3"), ast.Int(1))
    assert simplify(condition("exists x=1")) == atom(("x", None), ast.Int(1))
    assert simplify(condition("exists [x]=1")) == atom(("x", None), ast.Int(1))
    assert simplify(condition("exists x[1]=2")) == atom(("x", 1), ast.Int(2))
    assert simplify(condition("exists 0:X0=x")) == atom((0, "X0"), ast.Sym("x"))
    assert simplify(condition('exists 0:X0=label:"P1:L0"')) == atom((0, "X0"),
                                                                    ast.CodeLabel(1, "L0"))
    assert simplify(condition("exists 0:X0==1")) == atom((0, "X0"), ast.Int(1))
    assert simplify(condition("exists 0:X0!=1")) == ("not", atom((0, "X0"), ast.Int(1)))
    assert simplify(condition("exists 0:X0=-64")) == atom((0, "X0"), ast.Int(-64))
    assert simplify(condition("exists 0:x0=0xff")) == atom((0, "X0"), ast.Int(255))
    assert simplify(condition("exists 0:X0=NOP")) == atom((0, "X0"), ast.InstrValue("NOP"))
    assert simplify(condition('exists 0:X0=instr:"ADD W0,W0,#1"')) == atom(
        (0, "X0"), ast.InstrValue("ADD W0,W0,#1"))
    assert simplify(condition("forall x={1,2}")) == atom(("x", None), (ast.Int(1), ast.Int(2)))


def test_atoms_comparing_two_locations():
    """herd7's StateParser.mly: after `=`, `1:X7`, `P1:X7`, `*1:X7`, `*x` and `[x]` name
    another location (`P1:L0` too: herd7 answers `L0 is not a register`), whose final
    value the atom compares with."""
    def other(text):
        value = condition(f"exists {text}").value
        return (value.thread, value.reg) if isinstance(value, ast.RegRef) else value.name

    assert other("1:X4=1:X7") == (1, "X7")
    assert other("1:X4=P1:X7") == (1, "X7")
    assert other("x=*1:X1") == (1, "X1")
    assert other("1:X4=*x") == "x"
    assert other("[x]=[y]") == "y"
    assert other("0:X0=P1:L0") == (1, "L0")
    with pytest.raises(LitmusError):
        condition("exists 1:X4<>1:X7")  # herd7 has no `<>` between two locations


def test_quantifiers_and_constants():
    for text, quantifier in [("exists (true)", "exists"), ("~exists (true)", "~exists"),
                             ("~ exists (true)", "~exists"), ("forall (true)", "forall")]:
        assert parse(litmus(final=text)).condition.quantifier == quantifier
    assert condition("forall (false)") == ast.Const(False)
    assert condition("forall true") == ast.Const(True)


def test_precedence():
    """herd7's StateParser.mly: `not` binds tightest, then `=>` (to the right), `/\\`
    and `\\/`: herd7 prints `a \\/ b => c` back as `a \\/ (b => c)`."""
    a, b, c, d = (atom((0, f"X{i}"), ast.Int(1)) for i in range(4))
    expr = simplify(condition(r"exists ~0:X0=1 /\ 0:X1=1 \/ 0:X2=1 => 0:X3=1"))
    assert expr == ("Or", ("And", ("not", a), b), ("Implies", c, d))
    expr = simplify(condition(r"exists 0:X0=1 /\ 0:X1=1 => 0:X2=1 => 0:X3=1"))
    assert expr == ("And", a, ("Implies", b, ("Implies", c, d)))
    expr = simplify(condition(r"exists not 0:X0=1 => 0:X1=1"))
    assert expr == ("Implies", ("not", a), b)
    expr = simplify(condition(r"exists 0:X0=1 \/ 0:X1=1 /\ 0:X2=1"))
    assert expr == ("Or", a, ("And", b, c))
    expr = simplify(condition(r"exists ~(0:X0=1 \/ 0:X1=1)"))
    assert expr == ("not", ("Or", a, b))
    expr = simplify(condition(r"exists not (0:X0=1) /\ 0:X1<>1"))
    assert expr == ("And", ("not", a), ("not", b))


def test_locations_and_filter():
    test = parse(litmus(final="locations [x; 0:X1; [y]; 0: X2 ins_t; t[1]]\n"
                              "filter (0:X0=1)\nforall (true)"))
    assert [(r.thread, r.reg) if isinstance(r, ast.RegRef) else (r.name, r.index)
            for r in test.locations] == [("x", None), (0, "X1"), ("y", None), (0, "X2"), ("t", 1)]
    assert simplify(test.filter) == atom((0, "X0"), ast.Int(1))
    assert parse(litmus(final="locations [0:X0;];")).locations[0].reg == "X0"


def test_missing_condition_means_forall_true():
    test = parse(litmus(final="locations [0:X0;]"))
    assert test.condition.quantifier == "forall"
    assert test.condition.expr == ast.Const(True)


def test_condition_with_trailing_semicolon_and_comment():
    test = parse(litmus(final="exists (0:X0=1); (* done *)"))
    assert (test.condition.pos.line, test.condition.pos.col) == (7, 1)


def test_text_after_the_condition_is_an_error():
    error = syntax_error(litmus(final="exists (0:X0=1) junk"))
    assert error.message.startswith("unexpected 'junk'")
    assert (error.line, error.col) == (7, 17)


# ---- errors -----------------------------------------------------------------------------------


def test_error_format_has_place_source_line_and_caret():
    error = syntax_error("AArch64 T\n{ 0:X0=; }\nP0;\nNOP;\nexists (0:X0=1)\n")
    assert (error.file, error.line, error.col) == ("t.litmus", 2, 8)
    assert str(error).splitlines() == [
        f"t.litmus:2:8: {error.message}", "{ 0:X0=; }", "       ^"]
    assert error.message.startswith("unexpected ';' in the init block")


def test_error_in_an_instruction_points_into_its_cell():
    error = syntax_error(litmus(table="P0 | P1 ;\n NOP | LDR X0,[X1 ;"))
    assert (error.line, error.col) == (6, 18)
    assert "unexpected end of this instruction" in error.message


def test_syntax_errors_say_what_the_parser_state_expected():
    """What could have come where the text goes wrong: a token the state does not take, a
    character no terminal of the state matches (while one of another state does, or none)."""
    cases = {
        litmus(table="P0 ;\n MOV W0,@1 ;"): "unexpected character '@' in this instruction "
        "(expected '[', a PC offset (.+n), a number, a register, a name or a mnemonic, "
        "a symbolic register, an immediate (#n))",
        litmus(table="P0 ;\n STR W2,[X3] ) ;"): "unexpected character ')' in this "
        "instruction (expected '!', ',')",
        litmus(init="0:X1=x; $"): "unexpected character '$' in the init block (expected "
        "'*', ';', '[', 'tag', '}', PTE or TTD, a name, a number, ...)",
        litmus(final="exists (0:X0=1 / x=1)"): "unexpected character '/' in the final "
        "condition (expected ')', '/\\', ':', ';', '=>', '\\/', exists, ~exists or forall)",
        litmus(table="P0 ;\n MOV W0,] ;"): "unexpected ']' in this instruction (expected "
        "'[', a PC offset (.+n), a number, a register, a name or a mnemonic, a symbolic "
        "register, an immediate (#n))",
        litmus(final="exists (0:X0=1 /\\ ])"): "unexpected ']' in the final condition "
        "(expected '(', '*', '[', 'tag', '~', PTE or TTD, a name, a number, ...)",
        litmus(init="0:X1=x; 1:X1= ;"): "unexpected ';' in the init block (expected '&', "
        "'(', ':', '{', PA, PTE or TTD, a name, a number, ...)",
        litmus(table="P0 ;\n LDR X0,[X1 ;"): "unexpected end of this instruction "
        "(expected ',', ']')",
    }
    assert {text: syntax_error(text).message for text in cases} == cases


def test_a_cell_met_again_is_placed_where_it_is_and_its_error_too():
    """Cells are parsed once per text; each use has its own place, each error its own."""
    table = "P0 | P1 ;\n L0: LDR W2,[X1] | LDR W2,[X1] ;\n NOP | LDR W2,[X1] ;"
    first, second = parse(litmus(table=table)).threads
    assert [(i.pos.line, i.pos.col) for i in first.code + second.code] == [
        (6, 6), (7, 2), (6, 20), (7, 8)]
    places = []
    for padding in ("", "\n"):
        bad = table.replace(" NOP | LDR W2,[X1] ;", padding + " NOP | LDR W2,[X1 ;")
        error = syntax_error(litmus(table=bad))
        places.append((error.line, error.col))
    assert places[1] == (places[0][0] + 1, places[0][1])


def test_error_positions_in_the_condition():
    error = syntax_error(litmus(final="exists (0:X0=1 /\\\n   /\\ x=1)"))
    assert (error.line, error.col) == (8, 4)


def test_unclosed_comment_and_init_block():
    assert "never closed" in syntax_error("AArch64 T\n(* open\n{}\n").message
    error = syntax_error("AArch64 T\n{ 0:X0=1;\nP0;\n")
    assert "never closed" in error.message and error.line == 2


def test_table_errors():
    assert "expected ';'" in syntax_error(litmus(table="P0 ;\n NOP\n NOP ;")).message
    assert "more cells" in syntax_error(litmus(table="P0 ;\n NOP | NOP ;")).message
    short = syntax_error(litmus(table="P0 | P1 ;\n NOP | NOP ;\n NOP ;"))
    assert short.message.startswith("mismatch in instruction lines") and short.line == 7
    assert "expected the thread name P1" in syntax_error(litmus(table="P0 | P2 ;")).message
    error = syntax_error(litmus(table="P0 ;\n L0: ;\n L0: NOP ;"))
    assert "defined twice" in error.message and error.line == 7


def test_instruction_errors():
    error = syntax_error(litmus(table="P0 ;\n fictional_instruction X0, X1 ;"))
    assert "not an instruction mnemonic" in error.message
    error = syntax_error(litmus(table="P0 ;\n STR X1, [X2], %sym ;"))
    assert error.message.startswith("unexpected '%sym'")
    assert "missing ','" in syntax_error(litmus(table="P0 ;\n MOV X0 #1 ;")).message
    assert "base register" in syntax_error(litmus(table="P0 ;\n LDR X0,[foo] ;")).message


@pytest.mark.parametrize("text", [
    "", "AArch64", "AArch64 T", "AArch64 T\n{", "AArch64 T\n{}\n", "AArch64 T\n{}\nP0|",
    "AArch64 T\n{}\nP0;\n[;\n", "AArch64 T\n{}\nP0;\nNOP;\nexists (", '\x00\x01',
    "AArch64 T\n{ 0:X0=label:\"zz\" }\nP0;\n", "AArch64 T\n{ 0:X0=foo:\"a\" }\nP0;\n",
    "AArch64 T\n{ 0:X0=Q1:L0 }\nP0;\n", "AArch64 T\n{ x=1 @ }\n",
])
def test_bad_input_gives_litmus_errors_only(text):
    with pytest.raises(LitmusError):
        parse(text)


def test_parse_file_reads_bytes(tmp_path):
    good = tmp_path / "good.litmus"
    good.write_bytes(litmus().replace("\n", "\r\n").encode())
    assert parse_file(good).file == str(good)
    latin = tmp_path / "latin.litmus"
    latin.write_bytes(b"AArch64 T\n(* caf\xe9 *)\n{}\n")
    error = pytest.raises(LitmusError, parse_file, latin).value
    assert "not UTF-8" in error.message and (error.line, error.col) == (2, 7)
    binary = tmp_path / "binary.litmus"
    binary.write_bytes(b"\x7fELF\x00\x01\x02")
    assert "binary" in pytest.raises(LitmusError, parse_file, binary).value.message
    missing = pytest.raises(LitmusError, parse_file, tmp_path / "missing.litmus").value
    assert "cannot read" in missing.message


# ---- the shared corpus ------------------------------------------------------------------------


def corpus_entries() -> dict:
    expected = CORPUS / "expected.json"
    if not expected.is_file():
        pytest.skip(f"the shared corpus is not there: {expected} is missing")
    return json.loads(expected.read_text())


# In-scope files whose Variant= line names a feature pylitmus lacks, and that feature.
REFUSED_VARIANTS = {"herd-instructions/A235.litmus": "Morello capabilities"}


def test_every_in_scope_corpus_file_parses():
    entries = corpus_entries()
    in_scope = [path for path, entry in entries.items()
                if not entry["features"] and "error" not in entry]
    failures = []
    for path in in_scope:
        try:
            test = parse_file(CORPUS / path)
        except LitmusError as error:
            if not error.message.startswith(REFUSED_VARIANTS.get(path, "\0")):
                failures.append(str(error))
            continue
        if "test" in entries[path]:
            assert test.name == entries[path]["test"]
    assert not failures, "\n".join(failures[:20])
    assert len(in_scope) > 1200


@pytest.mark.parametrize("path", [
    "catalogue-aarch64/MP+rel+CSEL-addr.litmus",  # a path where the first line should be
    "herd-instructions/A135.litmus",  # a symbolic register as a post-index offset
    "herd-instructions/A175.litmus",  # `v[3] = 3` in the init block
    "herd-instructions/L005.litmus",  # `fictional_instruction X0, X1`
])
def test_corpus_syntax_errors_are_parse_errors(path):
    entry = corpus_entries()[path]
    assert "error" in entry
    with pytest.raises(LitmusError) as caught:
        parse_file(CORPUS / path)
    assert caught.value.line >= 1


def test_a_text_parsed_again_elsewhere_is_placed_where_it_is():
    """The init block and the condition of a second file with the same text repeat the
    builder calls of the first parse: their positions are the second file's, as a first
    parse gives."""
    from pylitmus.frontend.grammar import tables

    init, final = "0:X1=x; int y=2; 1:X3=y;", "exists (1:X2=1 /\\ ~([x]=1 \\/ y=2))"
    table = "P0 | P1 ;\n NOP | NOP ;"
    first = litmus(init=init, table=table, final=final)
    second = litmus(init=init, table=table, final=final, header="AArch64 U\n\n(* moved *)")
    parse(first)
    replayed = parse_text(second, "u.litmus")
    for start in ("init", "final"):
        tables("litmus", start)._calls.clear()
    fresh = parse_text(second, "u.litmus")
    assert replayed == fresh
    assert replayed.init[0].pos.line == 5 and replayed.init[0].target.pos.file == "u.litmus"
    bad = litmus(init=init, table=table, final="exists (1:X2=1 /\\ [x]=)", header="AArch64 V")
    with pytest.raises(LitmusError) as caught:
        parse(bad)
    assert caught.value.line == 7


def test_a_cell_padded_otherwise_is_placed_where_it_is():
    """A cell met again with other padding (its column's width) is the same instruction,
    at its own place; its labels too."""
    first = parse(litmus(table="P0 ;\n L0: LDR W0,[X1] ;"))
    padded = parse(litmus(table="P0          ;\n    L0:  LDR W0,[X1]      ;"))
    (one,), (two,) = first.threads[0].code, padded.threads[0].code
    assert (one.mnemonic, one.operands, one.text) == (two.mnemonic, two.operands, two.text)
    assert (one.pos.line, one.pos.col, two.pos.col) == (6, 6, 10)
    assert padded.threads[0].label_positions["L0"].col == 5
