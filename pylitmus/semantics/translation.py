"""Translation of explicit accesses under virtual memory (`-variant vmsa`), as herd7 does
it without hardware updates of the tables (herd/AArch64Sem.ml, `check_ptw`).

An access to a virtual address x reads x's page-table entry `PTE(x)` (an implicit read,
in TTD), then a branch decides on the descriptor read: the access goes to the physical
location of the descriptor's output address, or faults. A load faults when the
descriptor is invalid or its access flag clear; a store also when its dirty bit is
clear. A fault writes ELR_EL1 and makes a fault event, and the access is not made; then
(`after_fault`) the thread stops (fatal), goes on with the next instruction
(faultToNext), or runs the instruction once more (handled). An address `PTE(x)` or
`PA(x)` is accessed directly, untranslated.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import events as E
from .instructions import Unsupported
from .machine import Abandon, Context
from .values import Addr, PhysAddr, PteVal, TableAddr, table_location

DESCRIPTOR_BITS = 64


@dataclass(frozen=True)
class Access:
    """Where an explicit access goes: its address after translation (what an exclusive
    reservation holds) and location, and the events of its translation it depends on:
    by data (the descriptor read) and by control (the branch on it)."""

    address: object
    loc: str
    data: tuple[E.Event, ...] = ()
    ctrl: tuple[E.Event, ...] = ()


def untranslated(ctx: Context, address) -> Access:
    """The access to an address as it is."""
    return Access(address, ctx.location(address))


def fault_type(descriptor: PteVal, write: bool, el0: bool) -> str | None:
    """The fault an access with this descriptor takes, without hardware updates, from a
    thread at EL0 or not: None when it goes through."""
    if not descriptor.valid:
        return "Translation"
    if not descriptor.af:
        return "AccessFlag"
    if write and not descriptor.db or el0 and not descriptor.el0:
        return "Permission"
    return None


def raise_fault(ctx: Context, loc: str, fault: str, write: bool,
                guards: tuple[E.Event, ...] = (), message: str | None = None) -> None:
    """The fault of the instruction running, on a location: ELR_EL1 written, a fault
    event (its value the type, then the message if any: `D-MMU:Permission,EL0`), both
    after the `guards` (the branch on the descriptor); then `after_fault`."""
    ctx.write_reg("ELR_EL1", ctx.label_address(None, ctx.pc), ctrl_sources=guards)
    sets = {"EXC-ENTRY", "MMU", "D-MMU", fault, "FAULT-WR" if write else "FAULT-RD"}
    value = f"D-MMU:{fault}" + (f",{message}" if message else "")
    ctx.ctrl(guards, ctx.event(E.FAULT, loc, value, sets))
    after_fault(ctx)


def after_fault(ctx: Context, syscall: bool = False) -> None:
    """Where a thread goes after a fault (or a system call) of the instruction running,
    by herd7's fault handling (herd/mem.ml, add_fault): once an instruction ran again, any
    fault drops the run (herd7's re_exec stays set); else the thread stops (fatal), goes
    on with the next instruction (faultToNext, or a system call under handled), or runs
    the faulting instruction again (handled)."""
    if ctx.reexecuted:
        raise Abandon()
    handling = ctx.env.fault_handling
    if handling == "fatal":
        ctx.finish()
    elif handling == "handled" and not syscall:
        ctx.reexecuted = True
        ctx.next_pc = ctx.pc


def translate(ctx: Context, address, sources: list, write: bool) -> Access | None:
    """The access to `address`, translated under vmsa; None when it faults (the thread
    has then gone where `after_fault` says)."""
    if not ctx.env.vmsa:
        return untranslated(ctx, address)
    el0 = ctx.thread.index in ctx.env.el0_threads
    if isinstance(address, TableAddr):
        if el0:  # page tables are out of EL0's reach
            raise_fault(ctx, table_location(address.name), "Permission", write,
                        message="EL0")
            return None
        return Access(address, table_location(address.name))
    if isinstance(address, PhysAddr):
        return Access(address, ctx.location(Addr(address.name)))
    if not isinstance(address, Addr):
        return untranslated(ctx, address)  # refused there, as without vmsa
    if address.offset or address.base in ctx.env.arrays:
        raise Unsupported("offsets and arrays under virtual memory are not supported yet",
                          static=True)
    descriptor, ttd = ctx.read_mem(table_location(address.base), DESCRIPTOR_BITS, (), sources)
    if not isinstance(descriptor, PteVal):
        raise Unsupported(f"a page-table entry holding {descriptor} (not a descriptor) "
                          f"is not supported yet", static=True)
    branch = ctx.event(E.BRANCH, sets={"PRED"})
    ctx.data([ttd], branch)
    fault = fault_type(descriptor, write, el0)
    if fault is not None:
        raise_fault(ctx, address.base, fault, write, (branch,))
        return None
    if isinstance(descriptor.oa, TableAddr) or not descriptor.oa.name:
        raise Unsupported(f"translating through a descriptor with the output address "
                          f"{descriptor.oa} is not supported yet", static=True)
    return Access(descriptor.oa, ctx.location(Addr(descriptor.oa.name)), (ttd,), (branch,))
