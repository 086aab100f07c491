"""Translation of explicit accesses under virtual memory (`-variant vmsa`), as herd7 does
it (herd/AArch64Sem.ml, `check_ptw`), hardware updates of the access flag and dirty bit
(the test's TTHM= line) included.

An access to a virtual address x reads x's page-table entry `PTE(x)` (an implicit read,
in TTD), then a branch decides on the descriptor read: the access goes to the physical
location of the descriptor's output address, or faults. A load faults when the
descriptor is invalid or its access flag clear; a store also when its dirty bit is
clear. When the hardware manages the access flag (HA) of a thread, its translation reads
are atomic, a clear access flag does not fault, and an update write sets it; when it
manages the dirty bit too (HD), a write also goes through a clean descriptor that allows
dirtying (dbm), and the update sets both flags. A fault writes ELR_EL1 and makes a
fault event, and the access is not made; then (`after_fault`) the thread runs its fault
handler, or without one stops (fatal), goes on with the next instruction (faultToNext),
or runs the instruction once more (handled). An address `PTE(x)` or
`PA(x)` is accessed directly, untranslated.

Under memory tagging (`-variant memtag`, herd7's lift_memtag_virt) an explicit access to
x first reads x's tag location `tag(x)` (an implicit read, in T) and a branch compares
the tag read with the pointer's (green when it has none). On a match the access is
made, under the branch's control when the check is synchronous. On a mismatch a
synchronous check faults (TagCheck) as a translation does; an asynchronous one (writes
under asymmetric) writes 1 to TFSR_ELx, makes a fault event that enters no handler, and
the access is made all the same. Under store-only, loads are not checked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from . import events as E
from .instructions import Unsupported
from .machine import Abandon, Context
from .values import (
    DEFAULT_TAG,
    FAILED_TRANSLATION,
    Addr,
    ParEl1,
    PhysAddr,
    PteVal,
    TableAddr,
    Tag,
    table_location,
    tag_location,
)

DESCRIPTOR_BITS = 64
TAG_BITS = 64  # the size pylitmus gives the accesses of a tag location


@dataclass(frozen=True)
class Target:
    """Where an explicit access goes: its address after translation (what an exclusive
    reservation holds) and location, and the events of its translation it depends on:
    by data (the descriptor read) and by control (the branch on it)."""

    address: object
    loc: str
    data: tuple[E.Event, ...] = ()
    ctrl: tuple[E.Event, ...] = ()


def untranslated(ctx: Context, address) -> Target:
    """The access to an address as it is."""
    return Target(address, ctx.location(address))


def fault_type(descriptor: PteVal, write: bool, el0: bool, ha: bool = False,
               hd: bool = False) -> str | None:
    """The fault an access with this descriptor takes, from a thread at EL0 or not, whose
    hardware sets the access flag (ha) and the dirty bit (hd) or not: None when it goes
    through."""
    if not descriptor.valid:
        return "Translation"
    if not descriptor.af and not ha:
        return "AccessFlag"
    writable = descriptor.db or hd and descriptor.dbm
    if write and not writable or el0 and not descriptor.el0:
        return "Permission"
    return None


def hardware_update(descriptor: PteVal, ha: bool, dirty: bool) -> tuple[PteVal, tuple] | None:
    """The descriptor hardware writes back after a translation that went through, and the
    flag sets of the write (AF, DB), if it writes one: with the dirty bit managed and the
    access dirtying (`dirty`), when either flag is clear, both set; else with the access
    flag managed, when it is clear, it set."""
    if dirty and not (descriptor.af and descriptor.db):
        return replace(descriptor, af=1, db=1), ("AF", "DB")
    if ha and not dirty and not descriptor.af:
        return replace(descriptor, af=1), ("AF",)
    return None


def spurious_update(value) -> PteVal | None:
    """The descriptor a spurious hardware update writes over `value`, if it may make one:
    under hardware management the access flag of a valid descriptor may be set at any
    time (herd7's spurious_setaf), so a valid value with the flag clear gets it set."""
    if isinstance(value, PteVal) and value.valid and not value.af:
        return replace(value, af=1)
    return None


def written_back(run: E.Run) -> set[int]:
    """The atomic writes of a run storing the value their instruction's atomic read has
    just read at the same location (a CAS failing with a write-back): herd7 gives them no
    spurious update (herd/mem.ml, add_setaf)."""
    events = run.events
    return {w for r, w in run.iico_data
            if events[r].kind == E.MEM_READ and "X" in events[r].sets
            and events[w].kind == E.MEM_WRITE and "X" in events[w].sets
            and events[r].loc == events[w].loc and events[r].value == events[w].value}


def address_translation(ctx: Context, address, source: E.Event | None,
                        write: bool) -> tuple[ParEl1, E.Event | None]:
    """AT: the translation of `address` for a read or a write, with no access and no fault
    (herd7's do_at): the PAR_EL1 value, the output address or, where the access would
    fault, the fault flag; and the event that value comes from. A virtual address's
    descriptor read is followed by a branch when the translation succeeds, by nothing
    when it fails; a physical address is its own output address."""
    if not ctx.env.vmsa:  # decoding only: `prepare` refuses AT without vmsa
        return FAILED_TRANSLATION, source
    el0 = ctx.checks_el0_bit
    if isinstance(address, PhysAddr) and not el0:
        return ParEl1(address), source
    if not isinstance(address, Addr) or address.offset or address.base in ctx.env.arrays:
        raise Unsupported(f"address translation of {address} is not supported yet",
                          static=True)
    if any(ctx.env.hardware_updates.of(ctx.thread.index)):
        raise Unsupported("address translation under hardware updates of page tables "
                          "(TTHM) is not supported yet", static=True)
    descriptor, ttd = ctx.read_mem(table_location(address.base), DESCRIPTOR_BITS, (),
                                   [source])
    assert isinstance(ttd, E.Event)  # one event: no mixed-size accesses under vmsa
    if not isinstance(descriptor, PteVal) or not isinstance(descriptor.oa, PhysAddr):
        raise Unsupported(f"address translation through {descriptor} is not supported yet",
                          static=True)
    if fault_type(descriptor, write, el0) is not None:
        return FAILED_TRANSLATION, ttd
    ctx.data([ttd], ctx.event(E.BRANCH, sets={"PRED"}))
    return ParEl1(descriptor.oa), ttd


def raise_fault(ctx: Context, loc: str, fault: str, write: bool,
                guards: tuple[E.Event, ...] = (), message: str | None = None,
                offset: int = 0, side: str = "D") -> None:
    """The fault of the instruction running, on a location (`offset` bytes into it), of
    its data side (D) or its fetch (I): ELR_EL1 written, a fault event (its value the
    type, then the message if any: `D-MMU:Permission,EL0`), both after the `guards` (the
    branch on the descriptor or tag); then `after_fault`. The type is an MMU fault's
    (`Translation`), or `TagCheck`."""
    ctx.write_reg("ELR_EL1", ctx.label_address(None, ctx.pc), ctrl_sources=guards)
    if fault == "TagCheck":
        sets, value = {"EXC-ENTRY", fault}, fault
    else:
        sets, value = {"EXC-ENTRY", "MMU", f"{side}-MMU", fault}, f"{side}-MMU:{fault}"
    sets.add("FAULT-WR" if write else "FAULT-RD")
    value += f",{message}" if message else ""
    ev = ctx.event(E.FAULT, loc, value, sets)
    ev.offset = offset
    ctx.ctrl(guards, ev)
    after_fault(ctx)


def undefined_instruction(ctx: Context) -> None:
    """The fault of an instruction that is undefined (UDF, or a fetched value that is no
    instruction): ELR_EL1 its own address, a fault of type UndefinedInstruction with no
    location; then `after_fault`."""
    ctx.write_reg("ELR_EL1", ctx.label_address(None, ctx.pc))
    ctx.event(E.FAULT, value="UndefinedInstruction", sets={"EXC-ENTRY", "UndefinedInstruction"})
    after_fault(ctx)


def check_tag(ctx: Context, address, sources: list, write: bool) -> Target | None:
    """The access to `address` after its tag check under memtag; None when it faults
    (the thread has then gone where `after_fault` says)."""
    if not isinstance(address, Addr):
        return untranslated(ctx, address)  # refused there, as without memtag
    # The access goes to the address without its tag (what an exclusive reserves).
    target = untranslated(ctx, replace(address, tag=""))
    if ctx.env.mte_store_only and not write:  # a load, unchecked
        return target
    tag, read = ctx.read_mem(tag_location(address.base, address.offset), TAG_BITS, ("T",),
                             sources)
    branch = ctx.event(E.BRANCH, sets={"PRED"})
    ctx.data([read, *sources], branch)
    precision = ctx.env.mte_precision
    synchronous = precision == "synchronous" or precision == "asymmetric" and not write
    if synchronous:
        target = replace(target, ctrl=(branch,))
    if tag == Tag(address.tag or DEFAULT_TAG):
        return target
    if synchronous:
        # herd7 shows the pointer with its tag: the location `x:red`, the offset apart
        raise_fault(ctx, str(replace(address, offset=0)), "TagCheck", write, (branch,),
                    offset=address.offset)
        return None
    ctx.write_reg("TFSR_ELx", 1, ctrl_sources=(branch,))
    sets = {"TagCheck", "FAULT-WR" if write else "FAULT-RD"}
    if ctx.thread.handler is not None:  # herd7 counts it an exception entry then
        sets.add("EXC-ENTRY")
    ctx.ctrl([branch], ctx.event(E.FAULT, None, "TagCheck", sets))
    return target


def after_fault(ctx: Context, syscall: bool = False) -> None:
    """Where a thread goes after a fault (or a system call) of the instruction running, as
    herd7 does (herd/mem.ml, add_fault): into the thread's fault handler, whatever the
    variants; a fault while handling one (in the handler, or running the instruction
    again) drops the run, with a warning when in a handler. Without a handler, the thread
    stops (fatal), goes on with the next instruction (faultToNext, or a system call under
    handled), or runs the faulting instruction again (handled)."""
    if ctx.after_fault:
        if ctx.thread.handler is not None:
            ctx.env.warnings.add("Fault inside a fault handler, legal outcomes may be missing")
        raise Abandon()
    handling = ctx.env.fault_handling
    if ctx.thread.handler is not None:
        ctx.enter_handler()
    elif handling == "fatal":
        ctx.finish()
    elif handling == "handled" and not syscall:
        ctx.after_fault = True
        ctx.next_pc = ctx.pc


def translate(ctx: Context, address, sources: list, write: bool,
              dirties: bool | None = None) -> Target | None:
    """The access to `address`, translated under vmsa; None when it faults (the thread
    has then gone where `after_fault` says). A write dirties the page unless `dirties`
    says otherwise (a CAS failing without writing may or may not)."""
    if not ctx.env.vmsa:
        return check_tag(ctx, address, sources, write) if ctx.env.memtag \
            else untranslated(ctx, address)
    if isinstance(address, TableAddr):
        if ctx.thread.index in ctx.env.el0_threads:  # page tables are out of EL0's reach
            raise_fault(ctx, table_location(address.name), "Permission", write,
                        message="EL0")
            return None
        return Target(address, table_location(address.name))
    if isinstance(address, PhysAddr):
        return Target(address, ctx.location(Addr(address.name, address.offset)))
    if not isinstance(address, Addr):
        return untranslated(ctx, address)  # refused there, as without vmsa
    if address.offset and address.base not in ctx.env.arrays:
        raise Unsupported("offsets from a location that is no array under virtual memory "
                          "are not supported yet", static=True)
    ha, hd = ctx.env.hardware_updates.of(ctx.thread.index)
    entry = table_location(address.base)
    # Under hardware management the translation read is atomic with the update.
    read_sets = ("X", "AF", "DB") if hd else ("X", "AF") if ha else ()
    descriptor, ttd = ctx.read_mem(entry, DESCRIPTOR_BITS, read_sets, sources)
    assert isinstance(ttd, E.Event)  # one event: no mixed-size accesses under vmsa
    if not isinstance(descriptor, PteVal):
        raise Unsupported(f"a page-table entry holding {descriptor} (not a descriptor) "
                          f"is not supported yet", static=True)
    branch = ctx.event(E.BRANCH, sets={"PRED"})
    ctx.data([ttd], branch)
    fault = fault_type(descriptor, write, ctx.checks_el0_bit, ha, hd)
    if fault is not None:
        raise_fault(ctx, address.base, fault, write, (branch,), offset=address.offset)
        return None
    update = hardware_update(descriptor, ha, hd and (write if dirties is None else dirties))
    if update is not None:
        value, flags = update
        decision = ctx.event(E.BRANCH, sets={"PRED"})
        ctx.data([ttd], decision)
        ctx.ctrl([branch], decision)
        written = ctx.write_mem(entry, DESCRIPTOR_BITS, value, ("X", *flags), [ttd])
        ctx.ctrl([decision], written)
    if isinstance(descriptor.oa, TableAddr) or not descriptor.oa.name:
        raise Unsupported(f"translating through a descriptor with the output address "
                          f"{descriptor.oa} is not supported yet", static=True)
    # The page's offset goes with the output address (herd7's get_oa).
    physical = PhysAddr(descriptor.oa.name, address.offset)
    return Target(physical, ctx.location(Addr(physical.name, physical.offset)), (ttd,),
                  (branch,))
