"""The builders of the dataclasses of `ast.py`: one method per grammar rule, called by the
parser (`lalr.py`) at each reduction with the kept children and the offset of the rule's first
token."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from pylitmus.errors import LitmusError
from pylitmus.frontend import ast
from pylitmus.frontend.lalr import Token
from pylitmus.frontend.source import Source
from pylitmus.variants import TAG_COLOURS

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
TABLE_ENTRY = re.compile(r"(?:PTE|TTD)\(([A-Za-z_][A-Za-z0-9_]*)\)")
REGISTER = re.compile(r"(?:[XWC](?:[0-9]|[12][0-9]|30)|XZR|WZR|SP|WSP|CSP)", re.IGNORECASE)
SHIFT_KINDS = frozenset(
    "LSL LSR ASR ROR MSL UXTB UXTH UXTW UXTX SXTB SXTH SXTW SXTX".split())
SHIFTS = frozenset("LSL LSR ASR ROR MSL".split())
MNEMONIC = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)?")
THREAD_NAME = re.compile(r"P?([0-9]+)")
# herd7's label:"P1:L0" (lib/stateLexer.mll): no blank inside, the label up to the quote
CODE_LABEL = re.compile(r"P?([0-9]+):([A-Za-z_.][A-Za-z0-9_.]*)")


def to_int(text: str) -> int:
    """A decimal or hex literal, maybe signed, maybe after `#`: `#-8`, `0x10`, `+4`."""
    if text.isdecimal():  # most are: thread numbers, plain values
        return int(text)
    digits = text.lstrip("#").replace(" ", "").replace("\t", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    return sign * int(digits, 16 if digits[:2].lower() == "0x" else 10)


# OCaml's int_of_string: a sign, maybe a base prefix, then digits of that base, the first
# one not `_`; a decimal fits in 63 bits signed, another base in 63 bits (read modulo 2^63).
OCAML_INT = re.compile(r"([-+]?)(?:0[xX]([0-9a-fA-F][0-9a-fA-F_]*)|0[oO]([0-7][0-7_]*)|"
                       r"0[bB]([01][01_]*)|(?:0[uU])?([0-9][0-9_]*))")


def ocaml_int(text: str) -> int | None:
    """`text` read as OCaml's int_of_string reads it (a 63-bit int), or None where it fails."""
    match = OCAML_INT.fullmatch(text)
    if match is None:
        return None
    sign = -1 if match.group(1) == "-" else 1
    base, digits = next((base, digits) for base, digits in zip((16, 8, 2, 10), match.groups()[1:])
                        if digits is not None)
    value = int(digits.replace("_", ""), base)
    if base == 10 and text.lstrip("+-")[:2].lower() != "0u":
        value *= sign
        return value if -(1 << 62) <= value < 1 << 62 else None
    if value >= 1 << 63:
        return None
    value = sign * value % (1 << 63)
    return value - (1 << 63) if value >= 1 << 62 else value


# herd7 reads the numbers of the init block and the condition with OCaml's Int64.of_string
# (a decimal fits in a signed 64-bit integer, a hexadecimal in 64 bits) and the immediates
# of code with int_of_string after a decimal-only lexer (lib/AArch64Lexer.mll: a 63-bit int).
MAX_VALUE_LITERAL = {10: (1 << 63) - 1, 16: (1 << 64) - 1}
MAX_IMMEDIATE = (1 << 62) - 1
# Words herd7's lexer of the init block and the condition reads as keywords, never as
# names (lib/stateLexer.mll); so are P0, P1, ... (threads).
STATE_KEYWORDS = frozenset(
    "pac pacda pacdb pacia pacib not true false observed Observed and exists forall final with "
    "locations filter fault Fault tag TAG attrs Attrs oa PTE TTD PA parel1_t PAREL1_T SS SSCap "
    "_Atomic ATOMIC_INIT NOP nop".split())  # NOP: a value only (herd7's TOK_NOP)
THREAD_KEYWORD = re.compile(r"P[0-9]+")
# herd7's old spellings of PTE(x) and PA(x) (lib/misc.ml, tr_pte and tr_physical).
OLD_TABLE_ENTRY, OLD_PHYSICAL = "pte_", "phy_"
# The integer fields of a descriptor (lib/AArch64PteVal.ml, add_field).
DESCRIPTOR_FIELDS = frozenset({"af", "db", "dbm", "valid", "el0", "x"})
# Memory attributes a descriptor may name (lib/AArch64PteVal.ml, Attrs.parse), long
# spellings mapped to short ones.
MEMORY_ATTRIBUTES = {
    "Normal": "Normal", "TaggedNormal": "TaggedNormal",
    "NSH": "NSH", "Non-shareable": "NSH", "ISH": "ISH", "Inner-shareable": "ISH",
    "OSH": "OSH", "Outer-shareable": "OSH",
    "iWB": "iWB", "Inner-write-back": "iWB", "iWT": "iWT", "Inner-write-through": "iWT",
    "iNC": "iNC", "Inner-non-cacheable": "iNC",
    "oWB": "oWB", "Outer-write-back": "oWB", "oWT": "oWT", "Outer-write-through": "oWT",
    "oNC": "oNC", "Outer-non-cacheable": "oNC",
    "Device-GRE": "Device-GRE", "Device-nGRE": "Device-nGRE", "Device-nGnRE": "Device-nGnRE",
    "Device-nGnRnE": "Device-nGnRnE",
}
# The parts of a fault atom (lib/fault.ml): a thread with an optional label, and an
# optional location and fault type, told apart by the type's form.
FAULT_THREAD = re.compile(r"P([0-9]+)(?::([A-Za-z_.][A-Za-z0-9_.]*))?")
FAULT_TYPE = re.compile(r"(?:[DI]-)?MMU:(?:Translation|AccessFlag|Permission|Exclusive)"
                        r"|TagCheck|UndefinedInstruction|SupervisorCall|PacCheck:[A-Za-z]+"
                        r"|GCS(?::[A-Za-z]+)?")


def _register_name(text: str) -> str:
    """A register as stored in the AST: upper case, but a symbolic `%name` keeps its case."""
    if "%" in text:
        prefix, _, rest = text.partition("%")
        return f"{prefix.upper()}%{rest}"
    return text.upper()


class _Builder:
    """Common ground: the source (for positions and errors)."""

    def __init__(self, source: Source):
        self.source = source

    def _pos(self, offset: int) -> ast.Pos:
        return self.source.pos(offset)

    def _error(self, offset: int, message: str):
        return self.source.error(offset, message)


def _own_output_address(target, value):
    """A descriptor without an output address, given to `PTE(x)`, maps x to `PA(x)`
    (herd7 prints `[PTE(x)]=(af:0)` as `(oa:PA(x), af:0)`)."""
    if isinstance(value, ast.Descriptor) and value.oa is None and \
            isinstance(target, ast.MemRef) and target.name.startswith("PTE("):
        return replace(value, oa=ast.Physical(target.name[4:-1]))
    return value


@dataclass(frozen=True)
class _ArraySize:
    size: int


@dataclass(frozen=True)
class _Pointer:
    """`*x` given a value in the init block: x, a location of herd7's pointer type."""
    ref: ast.MemRef


class LitmusBuilder(_Builder):
    """Builds the init block (a list of `InitItem`) and the final part."""

    # ---- init block ----

    def init(self, items, at):
        flat: list[ast.InitItem] = []
        for item in items:
            flat.extend(item)
        return flat

    def decl(self, children, at):
        ctype, target, *rest = children
        size = None
        if rest and isinstance(rest[0], _ArraySize):
            size = rest.pop(0).size
        items: list[ast.InitItem] = [ast.Decl(ctype, target, size, self._pos(at))]
        if rest and size is not None and isinstance(rest[0], tuple) and len(rest[0]) != size:
            raise self._error(at, f"declared size of array {target.name} does not match "
                                  f"initial value size")  # herd7's words
        if rest:
            values = rest[0] if isinstance(rest[0], tuple) else (rest[0],)
            if not ctype.endswith("*") and any(isinstance(v, ast.CodeLabel) for v in values):
                # lib/stateParser.mly: `typ loc = maybev`, no label; only `typ* loc` takes one
                raise self._error(at, f"a code label cannot be the value of a {ctype} "
                                      f"(herd7 takes one for an untyped or pointer location)")
            items.append(self._initial_value(at, target, rest[0]))
        return items

    def assign(self, children, at):
        target, value = children
        if isinstance(target, _Pointer):
            if isinstance(value, ast.Descriptor):  # lib/stateParser.mly: no pteval there
                raise LitmusError.at(value.pos, "unexpected '(' in the init block (herd7 "
                                                "gives `*x` no descriptor)")
            return [self._pointer_decl(target, at), *self.assign([target.ref, value], at)]
        if isinstance(value, tuple) and not self._tag_set(value):
            raise self._error(at, "an array needs a declared type (int t[2] = {1,2})")
        return [self._initial_value(at, target, value)]

    @staticmethod
    def _tag_set(values: tuple) -> bool:
        """Is a braced value a set of memory tags, `{:red,:blue}` (IRG's exclusion mask)?"""
        return bool(values) and all(isinstance(value, ast.TagValue) for value in values)

    def zero_initialised(self, children, at):
        """A location or register alone: it starts with 0 (herd7's `atom: location`)."""
        target = children[0]
        if isinstance(target, _Pointer):
            return [self._pointer_decl(target, at), *self.zero_initialised([target.ref], at)]
        return [self._initial_value(at, target, ast.Int(0))]

    def _pointer_decl(self, target: _Pointer, at: int) -> ast.Decl:
        """herd7 gives `*x` its pointer type (TyDefPointer): 64 bits."""
        return ast.Decl("*", target.ref, None, self._pos(at))

    def pointer_location(self, children, at):
        return _Pointer(self.plain_location(children, at))

    def _initial_value(self, at: int, target, value):
        target = self._location(target, at)
        value = _own_output_address(target, value)
        if isinstance(target, ast.RegRef):
            if isinstance(value, tuple):
                if not self._tag_set(value):
                    raise self._error(at, "a register cannot hold an array")
                # herd7 holds a set of tags as a mask, a bit per tag's number
                value = ast.Int(sum({1 << TAG_COLOURS.index(tag.colour) for tag in value}))
            return ast.InitReg(target, value, self._pos(at))
        return ast.InitMem(target, value, self._pos(at))

    def scalar_type(self, children, at):
        return children[0] if children[0] == "parel1_t" else self._name(children[0])

    def pointer_type(self, children, at):
        return f"{self._name(children[0])}*"

    def _name(self, token: Token) -> str:
        """A name of the init block or the condition, which may not be a keyword."""
        if token in STATE_KEYWORDS or THREAD_KEYWORD.fullmatch(token):
            raise self._error(token.offset, f"'{token}' is a keyword of herd7's init and condition "
                                            f"syntax, not a name")
        return str(token)

    def array_size(self, children, at):
        return _ArraySize(to_int(children[0]))

    # ---- final part ----

    def final(self, parts, at):
        return parts

    def locations(self, items, at):
        return ("locations", items)

    def location_item(self, children, at):
        return self._location(children[0], at)  # a type (`0:X0 ins_t`) changes nothing

    def _location(self, target, at: int):
        """A location as written: `PTE(x)` names the location of x's page-table entry."""
        if isinstance(target, ast.TableEntry):
            return ast.MemRef(f"PTE({target.name})", None, self._pos(at))
        return target

    def filter(self, children, at):
        return ("filter", children[0])

    def condition(self, children, at):
        quantifier, expr = children
        return ast.Condition("".join(quantifier.split()), expr, self._pos(quantifier.offset))

    def implies(self, children, at):
        return ast.Implies(*children)

    def or_(self, children, at):
        return ast.Or(*children)

    def and_(self, children, at):
        return ast.And(*children)

    def not_(self, children, at):
        return ast.Not(children[-1])

    def true(self, children, at):
        return ast.Const(True)

    def false(self, children, at):
        return ast.Const(False)

    def atom(self, children, at):
        target, value = children
        target = self._location(target, at)
        return ast.Atom(target, _own_output_address(target, value))

    def atom_not_equal(self, children, at):
        return ast.Not(self.atom(children, at))

    def fault_atom(self, children, at):
        _, thread, *rest = children
        match = FAULT_THREAD.fullmatch(thread)
        if match is None:
            raise self._error(thread.offset, f"expected a thread (P0 or P0:label) first in a "
                                             f"fault, found '{thread}'")
        loc = fault_type = None
        for part in rest:
            if fault_type is None and FAULT_TYPE.fullmatch(part):
                fault_type = str(part)
            elif loc is None and fault_type is None and NAME.fullmatch(part):
                loc = self._table_name(str(part))
            elif loc is None and fault_type is None and \
                    (entry := TABLE_ENTRY.fullmatch(part)) is not None:
                loc = f"PTE({entry.group(1)})"
            else:
                raise self._error(part.offset, f"unexpected '{part}' in a fault (expected "
                                               f"fault(P<n>[:label][,location][,type]))")
        return ast.FaultAtom(int(match.group(1)), match.group(2), loc, fault_type,
                             self._pos(at))

    @staticmethod
    def _table_name(name: str) -> str:
        """A location name, the old spelling pte_x read as PTE(x)."""
        if name.startswith(OLD_TABLE_ENTRY):
            return f"PTE({name[len(OLD_TABLE_ENTRY):]})"
        return name

    # ---- shared pieces ----

    def reg_ref(self, children, at):
        thread, reg = children
        return ast.RegRef(to_int(thread), _register_name(reg), self._pos(at))

    def symbolic_reg(self, children, at):
        return ast.RegRef(None, str(children[0]), self._pos(at))

    def thread_reg_ref(self, children, at):
        """`P1:X7` on the right of a condition's `=`: a register, as herd7 reads it; `x:red`
        (no thread before the colon) an address with a memory tag."""
        thread, reg = children
        if THREAD_NAME.fullmatch(thread) is None:
            return self._tagged_address(thread, reg)
        return ast.RegRef(self._thread_number(thread), _register_name(reg), self._pos(at))

    def plain_location(self, children, at):
        name = self._name(children[0])
        if name.startswith(OLD_PHYSICAL):
            raise self._error(at, f"herd7 cannot handle initialisation of '[PA("
                                  f"{name[len(OLD_PHYSICAL):]})]'")
        return ast.MemRef(self._table_name(name), None, self._pos(at))

    def location_cell(self, children, at):
        name, index = children
        return ast.MemRef(self._name(name), to_int(index), self._pos(at))

    def number(self, children, at):
        return ast.Int(self._literal(children[0], children[0].offset, 1))

    def negative_number(self, children, at):
        return ast.Int(self._literal(children[0][1:], children[0].offset, -1))

    def _literal(self, digits: str, offset: int, sign: int) -> int:
        """A number of the init block or the condition, in herd7's range."""
        base = 16 if digits[:2].lower() == "0x" else 10
        if sign < 0 and base == 16:
            raise self._error(offset, f"-{digits}: herd7 reads a negative number in decimal "
                                      f"only")
        value = sign * to_int(digits)
        if not -MAX_VALUE_LITERAL[10] - 1 <= value <= MAX_VALUE_LITERAL[base]:
            raise self._error(offset, f"{'-' if sign < 0 else ''}{digits} does not fit in 64 "
                                      f"bits (herd7's range: -2^63 to 2^63-1, or hexadecimal "
                                      f"up to 0xffffffffffffffff)")
        return value

    def symbol(self, children, at):
        name = str(children[0])
        if name in ("NOP", "nop"):  # herd7's TOK_NOP
            return ast.InstrValue("NOP")
        if name.startswith(OLD_TABLE_ENTRY):
            return ast.TableEntry(name[len(OLD_TABLE_ENTRY):])
        if name.startswith(OLD_PHYSICAL):
            return ast.Physical(name[len(OLD_PHYSICAL):])
        return ast.Sym(self._name(children[0]))

    def symbol_cell(self, children, at):
        name, index = children
        return ast.Sym(self._name(name), to_int(index))

    def code_label(self, children, at):
        """`P1:L0`, the address of a labelled instruction; `x:red` (no thread before the
        colon) an address with a memory tag."""
        thread, label = children
        if THREAD_NAME.fullmatch(thread) is None:
            return self._tagged_address(thread, label)
        return ast.CodeLabel(self._thread_number(thread), str(label))

    def _tagged_address(self, name, colour) -> ast.Sym:
        """`x:red`: the address of x with a memory tag."""
        return ast.Sym(self._name(name), tag=self._colour(colour))

    def tag_value(self, children, at):
        """`:red`, a memory tag."""
        return ast.TagValue(self._colour(children[0]))

    def _colour(self, token) -> str:
        """A memory tag's colour, one herd7 knows."""
        if token not in TAG_COLOURS:
            raise self._error(token.offset, f"'{token}' is not a memory tag (herd7's tags: "
                                            f"{', '.join(TAG_COLOURS)})")
        return str(token)

    def tag_location(self, children, at):
        """`tag(x)`, the location of x's memory tag; `tag(x+16)`, that of the granule 16
        bytes further."""
        name = self._name(children[1])
        if len(children) > 2 and to_int(children[2]):
            name += f"+{to_int(children[2])}"
        return ast.MemRef(f"tag({name})", None, self._pos(at))

    def _thread_number(self, token) -> int:
        match = THREAD_NAME.fullmatch(token)
        if match is None:
            raise self._error(token.offset, f"expected a thread name such as P1 before ':', "
                                            f"found '{token}'")
        return int(match.group(1))

    def tagged_string(self, children, at):
        token = children[0]
        tag, _, string = token.partition(":")
        content = string[1:-1]
        if tag == "instr":
            return ast.InstrValue(content.strip())
        match = CODE_LABEL.fullmatch(content)
        if match is None:
            raise self._error(token.offset, f'expected label:"P<n>:<label>", found {string}')
        return ast.CodeLabel(int(match.group(1)), match.group(2))

    def array(self, values, at):
        return tuple(values)

    # ---- virtual memory ----

    def table_location(self, children, at):
        return ast.TableEntry(self._entry_name(children[1]))

    def physical_address(self, children, at):
        return ast.Physical(self._entry_name(children[1]))

    def code_page(self, children, at):
        thread, label = children
        return ast.CodeLabel(self._thread_number(thread), str(label))

    def _entry_name(self, entry) -> str:
        """The name `PTE(...)` and `PA(...)` take: a location's, or a page of code's,
        `P0:L0`, the label starting it."""
        if isinstance(entry, ast.CodeLabel):
            return f"P{entry.thread}:{entry.label}"
        return self._name(entry)

    def descriptor(self, fields, at):
        oa = None
        flags: dict[str, int] = {}
        attrs: tuple[str, ...] = ()
        for kind, value in fields:
            if kind == "attrs":  # herd7 adds each list's attributes to those before
                attrs += value
                continue
            if kind == "oa" and oa is None:
                oa = value
            elif kind != "oa" and kind not in flags:
                flags[kind] = value
            else:  # herd7 (lib/AArch64PteVal.ml) says so at the closing parenthesis
                raise self._error(self._closing(at), f"multiple definition of the "
                                                     f"descriptor field {kind} (herd7 "
                                                     f"rejects it)")
        return ast.Descriptor(oa, tuple(flags.items()), attrs, self._pos(at))

    def _closing(self, at: int) -> int:
        """The offset of the parenthesis that closes the one at `at`."""
        depth, code = 0, self.source.code
        for offset in range(at, len(code)):
            depth += {"(": 1, ")": -1}.get(code[offset], 0)
            if depth == 0:
                return offset
        return at

    def output_address(self, children, at):
        value = children[1]
        if isinstance(value, Token):
            symbol = self.symbol([value], at)
            if not isinstance(symbol, (ast.TableEntry, ast.Physical)):
                raise self._error(at, f"the output address of a descriptor is PA(x) or "
                                      f"PTE(x), not '{value}'")
            value = symbol
        return ("oa", value)

    def descriptor_flag(self, children, at):
        name, number = children
        if name not in DESCRIPTOR_FIELDS:
            known = ", ".join(sorted(DESCRIPTOR_FIELDS))
            raise self._error(name.offset, f"illegal AArch64 page table entry property {name} "
                                           f"(herd7 knows oa, {known}, attrs)")
        return (str(name), to_int(number))

    def translation_result(self, children, at):
        oa, fault = None, 0
        for kind, value in children[1:]:
            if kind == "oa":
                oa = value
            else:
                fault = value
        if fault and oa is not None:
            raise self._error(at, "illegal combination in a PAR_EL1 value: f:1 and an "
                                  "output address")
        return ast.TranslationResult(oa, fault, self._pos(at))

    def translation_flag(self, children, at):
        name, number = children
        if name != "f":
            raise self._error(name.offset, f"illegal PAR_EL1 property {name} (herd7 knows "
                                           f"oa, f)")
        return ("f", to_int(number))

    def attributes(self, children, at):
        attrs = []
        for token in children[1:]:
            if token not in MEMORY_ATTRIBUTES:
                raise self._error(token.offset, f"invalid memory attribute {token}")
            attrs.append(MEMORY_ATTRIBUTES[token])
        return ("attrs", tuple(attrs))


@dataclass(frozen=True)
class ParsedCell:
    """What one table cell holds: its labels and at most one instruction."""

    labels: list[tuple[str, int]]  # each with its offset
    mnemonic: Token | None
    operands: tuple[ast.Operand, ...]


class CellBuilder(_Builder):
    """Builds one thread-table cell."""

    def cell(self, children, at):
        labels = [child for child in children if isinstance(child, tuple)]
        instructions = [child for child in children if not isinstance(child, tuple)]
        if not instructions:
            return ParsedCell(labels, None, ())
        mnemonic, operands = instructions[0]
        return ParsedCell(labels, mnemonic, operands)

    def label(self, children, at):
        return (str(children[0]), at)

    def instruction(self, children, at):
        mnemonic = children[0]
        if not MNEMONIC.fullmatch(mnemonic):
            raise self._error(mnemonic.offset, f"'{mnemonic}' is not an instruction mnemonic")
        operands = tuple(children[1]) if len(children) > 1 else ()
        return [mnemonic, operands]

    def operands(self, children, at):
        flat: list[ast.Operand] = []
        for child in children:
            flat.extend(child if isinstance(child, list) else [child])
        return flat

    def memory_operand(self, children, at):
        return list(children)

    def word(self, children, at):
        word = children[0]
        if len(children) == 2:
            if word.upper() not in SHIFT_KINDS:
                raise self._error(at, f"unexpected amount after '{word}' "
                                      f"(a missing ',' or an unknown shift?)")
            return ast.Shift(word.upper(), children[1].value)
        if REGISTER.fullmatch(word):
            return ast.Reg(word.upper())
        if word.upper() in SHIFTS:
            # lib/AArch64Parser.mly: a shifted operand is `LSL k`, `ROR k`, ...: never bare
            raise self._error(at, f"{word} needs an amount here (herd7 reads '{word} #n')")
        if word.upper() in SHIFT_KINDS:
            return ast.Shift(word.upper(), None)
        return ast.Name(str(word))

    def symbolic_reg(self, children, at):
        return ast.Reg(_register_name(children[0]))

    def immediate(self, children, at):
        token = children[0]
        if "x" in token.lower():
            raise self._error(token.offset, f"hexadecimal immediate {token}: herd7 reads the "
                                            f"immediates of code in decimal only")
        value = to_int(token)
        if not -MAX_IMMEDIATE - 1 <= value <= MAX_IMMEDIATE:
            raise self._error(token.offset, f"immediate {token} is out of herd7's range "
                                            f"(-2^62 to 2^62-1)")
        return ast.Imm(value)

    def pc_offset(self, children, at):
        return ast.PcOffset(to_int(children[0][1:]))

    def memory(self, children, at):
        writeback = bool(children) and isinstance(children[-1], Token)
        if writeback:
            children = children[:-1]
        base, offset, modifier = (list(children) + [None, None])[:3]
        if not isinstance(base, ast.Reg):
            raise self._error(at, "expected a base register after '['")
        if offset is not None and not isinstance(offset, (ast.Reg, ast.Imm)):
            raise self._error(at, "expected an offset register or immediate after the base")
        return ast.Mem(base, offset, modifier, writeback)

    def modifier(self, children, at):
        kind = children[0].upper()
        if kind not in SHIFT_KINDS:
            raise self._error(children[0].offset, f"expected a shift or extend (LSL, SXTW, ...), "
                                                  f"found '{children[0]}'")
        amount = children[1].value if len(children) == 2 else None
        return ast.Shift(kind, amount)
