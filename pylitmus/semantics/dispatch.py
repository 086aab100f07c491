"""Running one instruction on a `Context`: its fetch under ifetch, then its handler in
`isa`; and decoding an instruction without running it, as herd7 reads every one."""

from __future__ import annotations

import dataclasses

from ..errors import LitmusError
from ..frontend import ast
from . import events as E
from . import fetch, isa
from .instructions import Semantics, Unsupported
from .machine import Abandon, Context, Decisions, Env
from .values import CodeAddr


def execute(ctx: Context, instr: ast.Instruction) -> None:
    """Run one instruction (and its fetch, under ifetch) on the context."""
    try:
        if ctx.env.ifetch and fetch.is_fetched(ctx):
            fetch.execute_fetched(ctx, instr, _dispatch)
        else:
            _dispatch(ctx, instr)
    except Abandon:
        raise
    except Unsupported as exc:
        error = ctx.error(f"{exc} in `{instr.text}`")
        if exc.static:
            raise LitmusError(error.message, error.file, error.line, error.col) from None
        raise error from None


def _dispatch(ctx: Context, instr: ast.Instruction) -> None:
    handler = isa.HANDLERS.get(instr.mnemonic)
    if handler is None:
        if instr.mnemonic.startswith("B."):
            handler = isa.HANDLERS["B.cond"]
        else:
            raise Unsupported(f"unknown instruction {instr.mnemonic}", static=True)
    handler(Semantics(ctx), instr)


class _KnownZeros(dict):
    """Registers that all hold a known 0."""

    def __contains__(self, key) -> bool:
        return True


class _Decoding(Context):
    """A context that runs an instruction for its form alone: registers hold a known 0,
    memory reads 0, every address is one location, and branches go nowhere."""

    def __init__(self, test: ast.Test, thread: ast.Thread):
        super().__init__(Env(test, {}, {}, {}, False, 0), thread, {}, Decisions())
        self.regs = _KnownZeros()

    def location(self, address) -> str:
        return "decoded"

    def read_mem(self, loc: str, bits: int, sets=(), sources=()):
        return 0, self.event(E.MEM_READ, loc, 0, sets)

    def write_mem(self, loc: str, bits: int, value, sets=(), sources=()):
        return self.event(E.MEM_WRITE, loc, value, sets)

    def jump(self, label: str, bounded: bool) -> None:
        pass

    def jump_offset(self, offset: int, bounded: bool) -> None:
        pass

    def jump_to_value(self, target) -> None:
        pass

    def return_from_exception(self, target) -> None:
        pass

    def label_address(self, label: str | None, index: int | None = None) -> CodeAddr:
        return CodeAddr(self.code.index, label or "decoded")


def decode(test: ast.Test, thread: ast.Thread, instr: ast.Instruction, index: int,
           as_data: bool = False) -> None:
    """Check an instruction's mnemonic and operand forms with the semantics' own handlers,
    by running it once on made-up values. herd7 parses every instruction of the test,
    whether a run reaches it or not, and refuses the test at the first it cannot read;
    so does this, with the error the instruction would give if it ran. `as_data`: an
    instruction stored as a value (`instr:"..."`), which may hold a PC offset.

    The made-up context takes nothing from the test, the thread or the index: an
    instruction's text decodes alike wherever it is."""
    operands = _Watched(instr.operands)
    watched = dataclasses.replace(instr, operands=operands)
    ctx = _Decoding(test, thread)
    ctx.pc, ctx.instr, ctx.instance, ctx.running_copy = index, watched, 0, as_data
    try:
        _dispatch(ctx, watched)
    except Abandon:
        return
    except Unsupported as exc:
        raise LitmusError.at(instr.pos, f"{exc} in `{instr.text}`") from None
    unread = [i for i in range(len(operands)) if i not in operands.read]
    if unread:
        raise LitmusError.at(instr.pos, f"operand {unread[0] + 1} is not one {instr.mnemonic} "
                                        f"takes (an unknown form) in `{instr.text}`")


class _Watched(tuple):
    """An instruction's operands, remembering which of them its handler read."""

    read: set[int]

    def __new__(cls, items):
        watched = super().__new__(cls, items)
        watched.read = set()
        return watched

    def __getitem__(self, index):
        self.read.add(index)
        return super().__getitem__(index)
