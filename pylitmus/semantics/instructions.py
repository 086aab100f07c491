"""What each AArch64 instruction does: its values and the events it makes.

The event shapes follow herd7's instruction semantics (which the Arm model reads
to find dependencies): register reads tagged ADDR or DATA, register writes,
memory effects, branch and "pick" decisions, and the intra-instruction edges
between them. `Semantics` gives the handlers of `isa` their operands; `dispatch`
runs one instruction on a `Context`.
"""

from __future__ import annotations

from ..frontend import ast
from .machine import Context
from .values import MASK64, PAGE_SHIFT, Addr, CodeAddr, PageAddr, PteVal, signed

FLAGS = ("PSTATE.N", "PSTATE.Z", "PSTATE.C", "PSTATE.V")
NZCV_SHIFT = 28  # the flags are bits 31..28 of the system register NZCV
# The flags each condition reads, and its test on (n, z, c, v).
CONDITIONS = {
    "EQ": ("Z", lambda n, z, c, v: z == 1), "NE": ("Z", lambda n, z, c, v: z == 0),
    "CS": ("C", lambda n, z, c, v: c == 1), "HS": ("C", lambda n, z, c, v: c == 1),
    "CC": ("C", lambda n, z, c, v: c == 0), "LO": ("C", lambda n, z, c, v: c == 0),
    "MI": ("N", lambda n, z, c, v: n == 1), "PL": ("N", lambda n, z, c, v: n == 0),
    "VS": ("V", lambda n, z, c, v: v == 1), "VC": ("V", lambda n, z, c, v: v == 0),
    "HI": ("CZ", lambda n, z, c, v: c == 1 and z == 0),
    "LS": ("CZ", lambda n, z, c, v: not (c == 1 and z == 0)),
    "GE": ("NV", lambda n, z, c, v: n == v), "LT": ("NV", lambda n, z, c, v: n != v),
    "GT": ("NVZ", lambda n, z, c, v: z == 0 and n == v),
    "LE": ("NVZ", lambda n, z, c, v: not (z == 0 and n == v)),
    "AL": ("", lambda n, z, c, v: True),
}
NEGATED = {"EQ": "NE", "NE": "EQ", "CS": "CC", "HS": "LO", "CC": "CS", "LO": "HS",
           "MI": "PL", "PL": "MI", "VS": "VC", "VC": "VS", "HI": "LS", "LS": "HI",
           "GE": "LT", "LT": "GE", "GT": "LE", "LE": "GT"}
BARRIER_DOMAINS = ("SY", "ST", "LD", "ISH", "ISHST", "ISHLD", "OSH", "OSHST", "OSHLD",
                   "NSH", "NSHST", "NSHLD")


class Unsupported(Exception):
    """An instruction (or operand form) pylitmus does not know, or an operation on
    values it cannot perform (`static` says whether values play a part)."""

    def __init__(self, message: str, static: bool = False):
        super().__init__(message)
        self.static = static


# ---- values -----------------------------------------------------------------------


def width_of(reg: str) -> int:
    return 32 if reg.startswith("W") else 64


def one_width(*regs: str) -> int:
    """The width of registers an instruction takes alike; herd7's parser refuses a mix
    (`ADD X0,W1,#1`: "unexpected 'W1'")."""
    widths = {width_of(reg) for reg in regs}
    if len(widths) > 1:
        raise Unsupported(f"{', '.join(regs)} mix 32- and 64-bit registers")
    return widths.pop()


EXTENDS = frozenset(("UXTB", "UXTH", "UXTW", "UXTX", "SXTB", "SXTH", "SXTW", "SXTX"))


def truncate(value, bits: int):
    """The low `bits` of a value; a memory or code address cannot be cut (herd7's mask
    error)."""
    if isinstance(value, int):
        return value & ((1 << bits) - 1)
    if isinstance(value, (Addr, CodeAddr)) and bits < 64:
        shown = f'label:"{value}"' if isinstance(value, CodeAddr) else value
        raise Unsupported(f"illegal operation mask{bits} on {shown}")
    return value


def add(a, b):
    """a + b, with symbolic addresses moving by integer offsets."""
    if isinstance(a, int) and isinstance(b, int):
        return (a + b) & MASK64
    if isinstance(a, Addr) and isinstance(b, int):
        return Addr(a.base, signed(a.offset + b), a.tag)
    if isinstance(b, Addr) and isinstance(a, int):
        return Addr(b.base, signed(b.offset + a), b.tag)
    if b == 0:
        return a
    if a == 0:
        return b
    code, offset = (a, b) if isinstance(a, CodeAddr) else (b, a)
    if isinstance(code, CodeAddr) and isinstance(offset, int):
        moved = code.moved(signed(offset))
        if moved is None:
            raise Unsupported(f"arithmetic on the code label {code} (+ {signed(offset)}) is "
                              f"not supported yet")
        return moved
    raise Unsupported(f"illegal operation add on {a} and {b}")


def sub(a, b):
    if isinstance(b, int):
        return add(a, (-b) & MASK64)
    if type(a) is type(b):
        order = symbolic_order(a, b)
        if order is not None:
            return order & MASK64
        raise Unsupported(f"subtracting {b} from {a} (herd7 gives their order) is not "
                          f"supported yet")
    raise Unsupported(f"illegal operation sub on {a} and {b}")


def symbolic_order(a, b) -> int | None:
    """herd7's difference of two symbolic values of one kind (lib/symbValue.ml, sub):
    their order, -1, 0 or 1, data addresses by name then offset; None for two others that
    differ, whose order pylitmus does not know."""
    if a == b:
        return 0
    if isinstance(a, Addr) and isinstance(b, Addr):
        return -1 if (a.base, a.offset) < (b.base, b.offset) else 1
    return None


def logic(op: str, a, b):
    if isinstance(a, int) and isinstance(b, int):
        return {"AND": a & b, "ORR": a | b, "EOR": a ^ b,
                "BIC": a & ~b, "ORN": a | ~b, "EON": a ^ ~b}[op] & MASK64
    if op == "EOR" and a == b:
        return 0
    if isinstance(a, PteVal) or isinstance(b, PteVal):
        return descriptor_logic(op, a, b)
    if op == "AND" and 0 in (a, b):
        return 0
    if op == "ORR" and b == 0:
        return a
    if op == "ORR" and a == 0:
        return b
    raise Unsupported(f"illegal operation {op.lower()} on {a} and {b}")


def descriptor_logic(op: str, a, b):
    """ORR, BIC and AND of a descriptor with a mask of its flag bits, as herd7 computes them
    (lib/symbValue.ml, orop, andnot2, andop): ORR and BIC give a descriptor, AND a number.
    herd7 refuses any other operation, or a mask with other bits."""
    if op == "ORR" and 0 in (a, b):
        return b if a == 0 else a
    if op == "AND" and isinstance(a, int):
        a, b = b, a
    if isinstance(a, PteVal) and isinstance(b, int):
        if op == "AND":
            return a.masked_flags(b)
        if op in ("ORR", "BIC"):
            result = a.with_flags(b, op == "ORR")
            if result is not None:
                return result
    raise Unsupported(f"illegal operation {op.lower()} on {a} and {b} (herd7 refuses it)",
                      static=True)


def shifted(value, shift: ast.Shift | None, bits: int):
    """Apply a shift or extend modifier to an operand value."""
    if shift is None or not isinstance(value, int):
        if shift is not None and shift.amount and not isinstance(value, int):
            if shift.kind == "LSR" and shift.amount == PAGE_SHIFT and \
                    isinstance(value, Addr) and value.offset == 0:
                return PageAddr(value.base)  # herd7's shift_address_right
            raise Unsupported(f"illegal shift of {value}")
        return value
    kind, amount = shift.kind, shift.amount or 0
    mask = (1 << bits) - 1
    v = value & mask
    if kind == "LSL":
        return (v << amount) & mask
    if kind == "LSR":
        return v >> amount
    if kind == "ASR":
        return (signed(v, bits) >> amount) & mask
    if kind == "ROR":
        return ((v >> amount) | (v << (bits - amount))) & mask if amount else v
    extend = {"UXTB": (8, False), "UXTH": (16, False), "UXTW": (32, False), "UXTX": (64, False),
              "SXTB": (8, True), "SXTH": (16, True), "SXTW": (32, True), "SXTX": (64, True)}
    if kind in extend:
        size, sign = extend[kind]
        v = value & ((1 << size) - 1)
        if sign:
            v = signed(v, size) & MASK64
        return (v << amount) & mask
    raise Unsupported(f"unknown shift {kind}")


def nzcv_add(a: int, b: int, carry: int, bits: int) -> tuple[int, int, int, int, int]:
    """The result and N, Z, C, V flags of a + b + carry on `bits` bits."""
    mask = (1 << bits) - 1
    ua, ub = a & mask, b & mask
    total = ua + ub + carry
    result = total & mask
    sa, sb = signed(ua, bits), signed(ub, bits)
    stotal = sa + sb + carry
    n = result >> (bits - 1)
    z = int(result == 0)
    c = int(total > mask)
    v = int(stotal != signed(result, bits))
    return result, n, z, c, v


# ---- operand access -------------------------------------------------------------


def reg_operand(instr: ast.Instruction, i: int) -> str:
    try:
        op = instr.operands[i]
    except IndexError:
        raise Unsupported(f"missing operand {i + 1}") from None
    if not isinstance(op, ast.Reg):
        raise Unsupported(f"operand {i + 1} must be a register")
    return op.name


def operand(instr: ast.Instruction, i: int):
    return instr.operands[i] if i < len(instr.operands) else None


def shift_operand(instr: ast.Instruction, i: int) -> ast.Shift | None:
    """An optional shift or extend (`LSL #2`, `SXTW`) as operand `i`."""
    op = operand(instr, i)
    if op is not None and not isinstance(op, ast.Shift):
        raise Unsupported(f"operand {i + 1} must be a shift or an extend (LSL #n, SXTW, ...)")
    return op


def imm_operand(instr: ast.Instruction, i: int) -> int:
    op = operand(instr, i)
    if not isinstance(op, ast.Imm):
        raise Unsupported(f"operand {i + 1} must be an immediate")
    return op.value


def condition_operand(instr: ast.Instruction, i: int) -> str:
    """A condition code operand (EQ, NE, ...), upper case."""
    op = operand(instr, i)
    if not isinstance(op, ast.Name):
        raise Unsupported(f"operand {i + 1} must be a condition (EQ, NE, ...)")
    cond = op.text.upper()
    if cond not in CONDITIONS:
        raise Unsupported(f"unknown condition {op.text}")
    return cond


class Semantics:
    """Instruction semantics bound to one run's context."""

    def __init__(self, ctx: Context):
        self.ctx = ctx

    # -- register helpers ---------------------------------------------------------
    def read(self, reg: str, port: str | None = None):
        """Read a register operand; returns (value at its width, event or None)."""
        sets = (port,) if port else ()
        value, ev = self.ctx.read_reg(reg, sets)
        return value, ev

    def read_flags(self, cond: str):
        used, test = CONDITIONS[cond]
        values: dict[str, object] = {"N": 0, "Z": 0, "C": 0, "V": 0}
        evs = []
        for flag in used:
            v, ev = self.ctx.read_reg("PSTATE." + flag)
            if v is None:
                raise Unsupported(f"the condition {cond} after comparing two symbolic values "
                                  f"(herd7 orders them) is not supported yet")
            values[flag] = v
            evs.append(ev)
        return test(values["N"], values["Z"], values["C"], values["V"]), evs

    def write_flags(self, n, z, c, v, sources):
        for name, value in zip(FLAGS, (n, z, c, v)):
            self.ctx.write_reg(name, value, sources)

    def read_nzcv(self):
        """The flags as the value of NZCV (N, Z, C, V in bits 31..28): one read of each
        flag; returns (value, events)."""
        value, evs = 0, []
        for name in FLAGS:
            flag, ev = self.ctx.read_reg(name)
            if flag is None:
                raise Unsupported("reading NZCV after comparing two symbolic values (herd7 "
                                  "orders them) is not supported yet")
            value, evs = value << 1 | flag, evs + [ev]
        return value << NZCV_SHIFT, evs

    def write_nzcv(self, value, sources):
        """Set the flags from bits 31..28 of `value`, each write fed by `sources`."""
        if not isinstance(value, int):
            raise Unsupported(f"illegal operation on {value}: writing it to NZCV")
        self.write_flags(*(value >> (NZCV_SHIFT + bit) & 1 for bit in (3, 2, 1, 0)), sources)

    def second_value(self, instr, i, bits):
        """An `#imm`, or a register with an optional shift; (value, events)."""
        op = operand(instr, i)
        if isinstance(op, ast.Imm):
            return shifted(op.value & MASK64, shift_operand(instr, i + 1), bits), []
        if isinstance(op, ast.Reg):
            shift = shift_operand(instr, i + 1)
            if shift is None or shift.kind not in EXTENDS:  # an extend takes a W register
                one_width(op.name, "W0" if bits == 32 else "X0")
            value, ev = self.read(op.name)
            return shifted(value, shift, bits), [ev]
        raise Unsupported(f"operand {i + 1} must be a register or an immediate")

    # -- addresses ----------------------------------------------------------------
    def address(self, instr, mem_index: int):
        """The effective address of a memory operand and its address-register reads.

        Returns (address, read events, writeback) where writeback is the new base
        value for pre/post-indexed forms (or None)."""
        mem = operand(instr, mem_index)
        if not isinstance(mem, ast.Mem):
            raise Unsupported(f"operand {mem_index + 1} must be a memory operand")
        if width_of(mem.base.name) != 64:
            raise Unsupported(f"the base register {mem.base.name} must be an X register or SP")
        base, base_ev = self.read(mem.base.name, "ADDR")
        evs = [base_ev]
        post = operand(instr, mem_index + 1)
        if post is not None and not isinstance(post, ast.Imm):
            raise Unsupported(f"operand {mem_index + 2} must be an immediate (a post-index)")
        if isinstance(mem.offset, ast.Imm):
            addr = add(base, mem.offset.value & MASK64)
        elif isinstance(mem.offset, ast.Reg):
            idx, idx_ev = self.read(mem.offset.name, "ADDR")
            evs.append(idx_ev)
            addr = add(base, shifted(idx, mem.modifier, 64) if mem.modifier else idx)
        else:
            addr = base
        if mem.writeback:
            return addr, evs, addr
        if isinstance(post, ast.Imm):
            return base, evs, add(base, post.value & MASK64)
        return addr, evs, None

    def writeback(self, mem_reg: str, value, sources):
        self.ctx.write_reg(mem_reg, value, sources)

    def loc(self, address):
        """The location of an untranslated access (translated ones: `translation.py`)."""
        env = self.ctx.env
        if env.vmsa or env.memtag:
            feature = "virtual memory" if env.vmsa else "memory tagging"
            raise Unsupported(f"{self.ctx.instruction.mnemonic} under {feature} is not "
                              f"supported yet", static=True)
        return self.ctx.location(address)
