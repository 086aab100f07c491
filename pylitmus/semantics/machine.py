"""Run one thread's code and yield every possible run.

A run is driven by a sequence of decisions: the value each memory read returns,
whether a store-exclusive succeeds, and so on. `ThreadRuns` explores every
sequence depth-first; to try another option of a decision it restores the state
saved at the start of the instruction that made it and runs on from there, so
instruction semantics (`instructions.py`) are plain straight-line code that asks
`choose`. When reads may return more values (a new round of the value fixpoint),
it walks only the runs that read one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from ..errors import LitmusError
from ..frontend import ast
from ..limits import LimitError, Limits, limit_message
from ..variants import HardwareUpdates, hardware_updates, words
from . import events as E
from .annotations import check_annotations
from .mixed import (
    Layout,
    Pattern,
    byte_location,
    explode,
    read_key,
    read_values,
    split_byte_location,
)
from .values import (
    CODE_SPACING,
    DEVICE_TYPES,
    HANDLER_OFFSET,
    MASK64,
    Addr,
    CodeAddr,
    InstrBits,
    PteVal,
    cmodx_restricted,
    is_table_location,
    is_tag_location,
)

DEFAULT_BITS = 32  # the size of a location of herd7's default type, `int`
# The annotation sets events were made with (tuples, frozensets), each checked once
CHECKED_SETS: dict[object, frozenset[str]] = {}
MAX_CHECKED_SETS = 1 << 12


class Abandon(Exception):
    """This run cannot happen (for example a CAS outcome the value read contradicts)."""


class RunError(LitmusError):
    """A problem that depends on the values a run computed (a non-symbolic address,
    an indirect branch to data): herd7 reports it only for a consistent execution."""


@dataclass
class Env:
    """What every thread of a test shares: locations, their types, values they may hold."""

    test: ast.Test
    arrays: dict[str, tuple[int, int]]  # name -> (element size in bytes, length)
    possible: dict[str, set]  # location -> values a read may return
    code_locations: dict[str, InstrBits]  # "P1:L0" -> original instruction (ifetch)
    ifetch: bool
    unroll: int
    warnings: set[str] = field(default_factory=set)
    limits: Limits = Limits()
    variants: frozenset[str] = frozenset()  # herd7's names (pylitmus/variants.py)
    # Each location's size in bits, when herd7 checks that every access has it (not in its
    # mixed-size modes); None otherwise.
    location_bits: dict[str, int] | None = None
    # Labels whose address the test takes (init values, ADR): the targets herd7 tries for
    # an indirect branch on a register with no known value.
    exported_labels: frozenset[tuple[int, str]] = frozenset()
    # Under vmsa and ifetch, the pages of code with a page-table entry (`P0:L0` -> the
    # thread and index of the instruction at L0), and the instructions fetched through
    # one ((thread, index) -> the page and the instruction's word in it): `fetch.py`.
    code_pages: dict[str, tuple[int, int]] = field(default_factory=dict)
    translated_fetches: dict[tuple[int, int], tuple[str, int]] = field(default_factory=dict)
    # Under the `mixed` variant, memory is bytes (`mixed.py`): each location's bytes.
    layout: Layout | None = None
    patterns: dict[str, set[Pattern]] = field(default_factory=dict)  # whole writes, by location

    @property
    def el0_threads(self) -> frozenset[int]:
        """The threads running at EL0 (the test's `EL0=P0,P2` line); the others at EL1."""
        return frozenset(int(word[1:]) for word in words(self.test.meta.get("EL0", "")))

    @cached_property
    def hardware_updates(self) -> HardwareUpdates:
        """Which threads' hardware sets the access flag and dirty bit (the TTHM= line)."""
        return hardware_updates(self.test.meta.get("TTHM", ""))

    @property
    def fault_handling(self) -> str:
        """What a thread does after a fault (herd7's fatal, handled or faultToNext)."""
        return next((name for name in ("handled", "faultToNext") if name in self.variants),
                    "fatal")

    def offset_of(self, loc: str) -> int:
        """A location's byte offset in its array, `x[2]` of 4-byte cells 8 (herd7's
        low-order bits of its address); 0 for a location that is no array cell."""
        name, cell, index = loc.partition("[")
        if not cell or name not in self.arrays:
            return 0
        return int(index[:-1]) * self.arrays[name][0]

    @property
    def memtag(self) -> bool:
        """Is memory tagging on (`-variant memtag`): explicit accesses tag-checked?"""
        return "memtag" in self.variants

    @property
    def mte_store_only(self) -> bool:
        """Are loads tag-unchecked (`-variant store-only`, FEAT_MTE_STORE_ONLY)?"""
        return "store-only" in self.variants

    @property
    def mte_precision(self) -> str:
        """How a thread reports a tag mismatch (herd7's synchronous, asynchronous or
        asymmetric: asynchronous for writes, synchronous for reads)."""
        return next((name for name in ("asynchronous", "asymmetric") if name in self.variants),
                    "synchronous")

    @property
    def vmsa(self) -> bool:
        """Is virtual memory on (`-variant vmsa`): explicit accesses translated?"""
        return "vmsa" in self.variants


class Decisions:
    """A depth-first walk over decision sequences, one run per sequence. The decisions
    below `floor` stay as they are: the walk of one subtree."""

    def __init__(self) -> None:
        self.prefix: list[int] = []  # the option taken at each decision
        self.counts: list[int] = []  # how many options it had
        # Where each decision puts its run in the order of runs: the option's index, or
        # for a read the repr of its value (read options are sorted by repr, so this
        # orders them alike when a later round adds values).
        self.keys: list = []
        self.values: list = []  # the option taken
        self.locs: list[str | None] = []  # the location of a read, None for another decision
        self.floor = 0
        self.pos = 0
        # called with (decision index, location) at a new read decision
        self.on_read: Callable[[int, str], None] | None = None

    def choose(self, options: list, loc: str | None = None):
        if not options:
            raise Abandon()
        pos = self.pos
        if pos < len(self.prefix):
            pick = self.prefix[pos]
            value = self.values[pos] = options[pick]
            self.keys[pos] = pick if loc is None else repr(value)
        else:
            pick, value = 0, options[0]
            self.prefix.append(0)
            self.counts.append(len(options))
            self.keys.append(0 if loc is None else repr(value))
            self.values.append(value)
            self.locs.append(loc)
            if loc is not None and self.on_read is not None:
                self.on_read(pos, loc)
        self.pos = pos + 1
        return value

    def next_sequence(self) -> bool:
        """Move to the next unexplored sequence, which differs from the last one at its
        last decision (index len(prefix) - 1); False when all are done. The caller sets
        `pos` to where it replays from."""
        del self.prefix[self.pos:], self.counts[self.pos:], self.keys[self.pos:]
        del self.values[self.pos:], self.locs[self.pos:]
        while len(self.prefix) > self.floor:
            pick = self.prefix[-1] + 1
            if pick < self.counts[-1]:
                self.prefix[-1] = pick  # its key and value are set when it is replayed
                return True
            self.prefix.pop()
            self.counts.pop()
            self.keys.pop()
            self.values.pop()
            self.locs.pop()
        return False


class Context:
    """The state of one thread while one run executes."""

    def __init__(self, env: Env, thread: ast.Thread, registers: dict, decisions: Decisions):
        self.env = env
        self.thread = thread  # whose run this is
        self.code = thread  # whose code runs now (a branch may enter another thread's code)
        self.regs = dict(registers)
        self.decisions = decisions
        self.run = E.Run(thread.index)
        self.pc = 0
        self.instance = -1
        self.jumps_back: dict[int, int] = {}  # loop head (its address) -> jumps to it
        self.symbolic_regs: set[str] = set()
        self.exclusive_size: int | None = None  # size of the last load-exclusive, if last
        self.running_copy = False  # executing an instruction fetched from data
        # After a fault, running its handler or the faulting instruction again (herd7's
        # re_exec, until an ERET): another fault drops the run.
        self.after_fault = False
        self.instr: ast.Instruction | None = None
        # `options` of each location, while env.possible does not change.
        self.read_options: dict[str, list] = {}

    # -- saving and restoring --------------------------------------------------------
    def save(self) -> tuple:
        """The state before an instruction runs, to run it again with other decisions.
        Events and edges are only appended, so their counts are enough."""
        run = self.run
        return (self.pc, self.code, self.instance, dict(self.regs), set(self.symbolic_regs),
                dict(self.jumps_back), self.exclusive_size, self.after_fault, run.error, run.cut,
                len(run.events), len(run.iico_data), len(run.iico_ctrl), len(run.iico_order),
                len(run.sca), len(run.instances))

    def restore(self, saved: tuple, lists: tuple | None = None) -> None:
        """Go back to a saved state: from the run being built, which has not changed
        before the saved counts since, or from `lists`, what `kept` copied."""
        run = self.run
        (self.pc, self.code, self.instance, regs, symbolic, jumps, self.exclusive_size,
         self.after_fault, run.error, run.cut, events, data, ctrl, order, sca, instances) = saved
        self.regs, self.symbolic_regs, self.jumps_back = dict(regs), set(symbolic), dict(jumps)
        if lists is not None:
            (run.events, run.iico_data, run.iico_ctrl, run.iico_order, run.sca,
             run.instances) = (list(items) for items in lists)
            return
        del run.events[events:], run.iico_data[data:], run.iico_ctrl[ctrl:]
        del run.iico_order[order:], run.sca[sca:], run.instances[instances:]

    def kept(self, saved: tuple) -> tuple:
        """The events, edges and instances of a saved state, copied while the run being
        built still holds them, to restore it after other runs were built."""
        run = self.run
        lists: tuple[list, ...] = (run.events, run.iico_data, run.iico_ctrl, run.iico_order,
                                   run.sca, run.instances)
        return tuple(items[:count] for items, count in zip(lists, saved[-6:]))

    def finished_run(self, error: Exception | None = None) -> E.Run:
        """A copy of the run so far, as a finished run. Its events are shared with the
        runs that have the same prefix: nothing changes an event after its instruction."""
        run = self.run
        return E.Run(run.thread, list(run.events), list(run.iico_data), list(run.iico_ctrl),
                     list(run.iico_order), list(run.sca), list(run.instances), dict(self.regs),
                     error or run.error, run.cut)

    # -- events -----------------------------------------------------------------
    def event(self, kind: str, loc=None, value=None, sets=(), symbolic=False) -> E.Event:
        events = self.run.events
        hashable = type(sets) is tuple or type(sets) is frozenset
        checked = CHECKED_SETS.get(sets) if hashable else None
        if checked is None:
            checked = check_annotations(frozenset(sets))
            if hashable and len(CHECKED_SETS) < MAX_CHECKED_SETS:
                CHECKED_SETS[sets] = checked
        ev = E.Event(len(events), kind, self.instance, loc, value, checked, symbolic)
        events.append(ev)
        return ev

    def data(self, sources, target) -> None:
        """iico_data edges from each source event (or access) to target."""
        add_edges(self.run.iico_data, sources, target)

    def ctrl(self, sources, target) -> None:
        add_edges(self.run.iico_ctrl, sources, target)

    def order(self, first, second) -> None:
        self.run.iico_order.extend((a.num, b.num) for a in E.each(first) for b in E.each(second))

    def choose(self, options: list):
        return self.decisions.choose(options)

    def error(self, message: str) -> RunError:
        return RunError.at(self.instr.pos if self.instr else None, message)

    @property
    def instruction(self) -> ast.Instruction:
        """The instruction being run (there is one once the run has started)."""
        assert self.instr is not None, "no instruction has run yet"
        return self.instr

    # -- registers ----------------------------------------------------------------
    def read_reg(self, name: str, sets=()) -> tuple[object, E.Event | None]:
        """Read a register (`X3`, `W3`, `NZCV`); zero registers make no event."""
        if name in ("XZR", "WZR"):
            return 0, None
        key = REG_KEYS.get(name) or reg_key(name)  # no call once a name is known
        value = self.regs.get(key, 0)
        if name.startswith("W") and isinstance(value, int):
            value &= 0xFFFFFFFF
        # A register with no value yet is an unknown to herd7 until it solves the
        # execution, as a value read from memory is (its branches count against --unroll).
        unknown = key in self.symbolic_regs or key not in self.regs
        ev = self.event(E.REG_READ, key, value, sets, unknown)
        return value, ev

    def write_reg(self, name: str, value, sources=(), ctrl_sources=(),
                  symbolic: bool = False) -> E.Event | None:
        """Write a register; a W register write zeroes the upper half."""
        if name in ("XZR", "WZR"):
            return None
        key = REG_KEYS.get(name) or reg_key(name)
        if isinstance(value, int):
            value &= 0xFFFFFFFF if name.startswith("W") else MASK64
        self.regs[key] = value
        ev = self.event(E.REG_WRITE, key, value, symbolic=symbolic)
        add_edges(self.run.iico_data, sources, ev)
        if ctrl_sources:
            add_edges(self.run.iico_ctrl, ctrl_sources, ev)
        if ev.symbolic:
            self.symbolic_regs.add(key)
        else:
            self.symbolic_regs.discard(key)
        return ev

    @property
    def checks_el0_bit(self) -> bool:
        """Does herd7 check the el0 bit of the descriptors this instruction translates
        through? At EL0, but not in a fault's handler or an instruction run again after
        its fault (herd7's in_handler)."""
        return self.thread.index in self.env.el0_threads and not self.after_fault

    def holds_value(self, name: str) -> bool:
        """Has the register a value of the init block or of an instruction? herd7 reads a
        register with neither as an unknown, not as 0, when it is a branch target."""
        return name in ("XZR", "WZR") or reg_key(name) in self.regs

    # -- memory -------------------------------------------------------------------
    def location(self, address) -> str:
        """The location an address names, as herd7 resolves symbolic addresses."""
        if isinstance(address, Addr):
            layout = self.env.layout
            if layout is not None and address.base in layout.cells:
                return byte_location(address.base, address.offset)
            if address.base in self.env.arrays:
                size, length = self.env.arrays[address.base]
                index, rest = divmod(address.offset, size)
                if rest or not 0 <= index < length:
                    raise self.error(f"out of bounds access on array {address.base}")
                return f"{address.base}[{index}]"
            if address.offset:
                # herd7: "mixed-size test rejected (symbol [x+4]), consider option
                # -variant mixed" (herd/mem.ml, a read no write of that size feeds).
                raise self.error(f"address {address} is not a location of the test: a "
                                 f"mixed-size access, which herd7 takes only with "
                                 f"--variant mixed")
            return address.base
        if isinstance(address, CodeAddr):
            loc = str(address)
            if loc not in self.env.code_locations:
                thread = self.env.test.threads[address.thread]
                if thread.labels.get(address.label) == len(thread.code):
                    raise self.error(f"final label {address.label} cannot be overwritten")
                raise self.error(f"{loc} is not an instruction the test can access")
            return loc
        raise self.error(f"non symbolic address: {address}")

    def read_mem(self, loc: str, bits: int, sets=(), sources=()) -> tuple[object, E.Effect]:
        """Read `bits` bits at a location: the value is one it may hold."""
        if self.env.layout is not None and not is_tag_location(loc):
            return self.read_bytes(loc, bits, sets, sources)
        self.check_size(loc, bits, "reads")
        value = self.decisions.choose(self.options(loc), loc)
        ev = self.event(E.MEM_READ, loc, value, self.location_sets(loc, value, sets), True)
        ev.offset = self.env.offset_of(loc)
        self.data(sources, ev)
        return value, ev

    def options(self, loc: str) -> list:
        """The values a read of a location may return, in the order reads try them."""
        options = self.read_options.get(loc)
        if options is None:
            options = self.read_options[loc] = sorted(self.env.possible.get(loc, {0}), key=repr)
        return options

    def write_mem(self, loc: str, bits: int, value, sets=(), sources=()) -> E.Effect:
        """Write `bits` bits at a location."""
        if self.env.layout is not None and not is_tag_location(loc):
            return self.write_bytes(loc, bits, value, sets, sources)
        self.check_size(loc, bits, "writes")
        if loc in self.env.code_locations and not self.env.ifetch:
            raise self.error(f"store to {loc} requires instruction fetch "
                             "(use --variant ifetch)")
        ev = self.event(E.MEM_WRITE, loc, value, self.location_sets(loc, value, sets))
        ev.offset = self.env.offset_of(loc)
        self.data(sources, ev)
        return ev

    def byte_locations(self, loc: str, bits: int) -> list[str]:
        """The bytes an access of `bits` bits at byte location `loc` covers, which must lie
        in the location and be aligned to the access's size, as herd7 checks under
        `-variant mixed` (herd/mem.ml, check_aligned)."""
        assert self.env.layout is not None
        base, offset = split_byte_location(loc)
        size = bits // 8
        if offset % size or offset + size > self.env.layout.size(base):
            raise LitmusError.at(self.instruction.pos, f"unaligned or out-of-bound access: "
                                 f"{size} bytes at {base}+{offset} in `{self.instruction.text}`")
        return [byte_location(base, offset + k) for k in range(size)]

    def read_bytes(self, loc: str, bits: int, sets, sources) -> tuple[int, E.Access]:
        """A mixed-size read: one read per byte; the value, one the bytes may make from
        whole writes (`mixed.read_values`), is decided as a whole."""
        locs = self.byte_locations(loc, bits)
        base, offset = split_byte_location(loc)
        reader = (self.thread.index, self.instance)
        key = read_key(base, offset, len(locs), *reader)
        if key not in self.env.possible:
            self.env.possible[key] = read_values(self.env.patterns[base], offset, len(locs),
                                                 *reader)
        value = self.decisions.choose(self.options(key), key)
        events = []
        for byte_loc, byte in zip(locs, explode(value, len(locs))):
            ev = self.event(E.MEM_READ, byte_loc, byte, sets, True)
            self.data(sources, ev)
            events.append(ev)
        return value, self._access(events)

    def write_bytes(self, loc: str, bits: int, value, sets, sources) -> E.Access:
        """A mixed-size write: one write per byte."""
        if not isinstance(value, int):
            raise LitmusError.at(self.instruction.pos, f"storing {value} with `"
                                 f"{self.instruction.text}`: mixed-size accesses to a "
                                 f"location holding an address are not supported yet")
        locs = self.byte_locations(loc, bits)
        events = []
        for byte_loc, byte in zip(locs, explode(value, len(locs))):
            ev = self.event(E.MEM_WRITE, byte_loc, byte, sets)
            self.data(sources, ev)
            events.append(ev)
        events[0].width = len(events)
        return self._access(events)

    def _access(self, events: list[E.Event]) -> E.Access:
        """The bytes of one access, one single-copy-atomic group."""
        self.run.sca.extend((a.num, b.num) for i, a in enumerate(events) for b in events[i + 1:])
        return E.Access(events)

    def check_size(self, loc: str, bits: int, access: str) -> None:
        """Without a mixed-size variant, herd7 refuses an execution it finds consistent when
        one location is accessed with two sizes, its initial write's (the location's type)
        included (herd/mem.ml, check_sizes: "Illegal mixed-size test"). The run goes on;
        the error is raised if an execution the model allows uses the run."""
        sizes = self.env.location_bits
        if sizes is None or self.run.error is not None:
            return
        size = sizes.get(loc, DEFAULT_BITS)
        if bits != size:
            self.run.error = self.error(
                f"illegal mixed-size test: `{self.instruction.text}` {access} {bits} bits of "
                f"{loc}, a {size}-bit location (herd7 accepts it only with --variant mixed)")

    def location_sets(self, loc: str, value, sets):
        """The sets of an access: with `location_sets` of the location and value."""
        if not (self.env.ifetch or self.env.vmsa):
            return sets
        return set(sets) | location_sets(self.env, loc, value)

    # -- control ------------------------------------------------------------------
    # `bounded`: herd7 counts the jump against --unroll when it goes back. Every jump is
    # bounded but that of a conditional branch whose decision no read value influenced
    # (herd/mem.ml: a CondJump on a determined value is not checked).
    def jump(self, label: str, bounded: bool) -> None:
        """Continue at a label of the code running now (a handler's code may name its
        thread's labels)."""
        code = self.thread.code_of_label(label) or self.code
        self.jump_index(code, self.label_index(code, label), label, bounded)

    def jump_offset(self, offset: int, bounded: bool) -> None:
        """Continue `offset` bytes after this instruction (`B .+8`)."""
        code = self.code
        target = code.index_at(code.address(self.pc) + offset)
        if target is None:
            address = instruction_address(code, self.pc) + offset
            raise self.error(f"address {address:#x} does not point to code (herd7's "
                             f"\"Segmentation fault\")")
        self.jump_index(code, target, None, bounded)

    def jump_to_value(self, target) -> None:
        """An indirect branch: the register must hold a code address; bounded."""
        if isinstance(target, int):
            raise self.error(f"address {target:#x} does not point to code (herd7's "
                             f"\"Segmentation fault\"; an indirect branch needs a label)")
        if not isinstance(target, CodeAddr) or \
                not 0 <= target.thread < len(self.env.test.threads):
            raise self.error(f"illegal argument for the indirect branch instruction "
                             f"{self.instruction.text} (must be a label)")
        self.jump_to_address(target)

    def jump_to_address(self, target: CodeAddr) -> None:
        """Continue at a code address (a label of a thread or of its fault handler, or
        `@n`, the nth instruction word from the start of the thread's code)."""
        thread = self.env.test.threads[target.thread]
        code, label = thread.code_of_label(target.label) or thread, target.label
        if label.startswith("@") and int(label[1:]) >= HANDLER_WORDS and thread.handler:
            code, label = thread.handler, f"@{int(label[1:]) - HANDLER_WORDS}"
        self.jump_index(code, self.label_index(code, label), target.label, True)

    def return_from_exception(self, target) -> None:
        """ERET: continue at `target`, the value of ELR_EL1 (a label of this thread), no
        longer handling a fault."""
        if not isinstance(target, CodeAddr) or target.thread != self.thread.index:
            raise self.error(f"cannot determine the ERET target ({target} is not a label "
                             f"of P{self.thread.index})")
        self.after_fault = False
        self.jump_to_address(target)

    def label_index(self, code: ast.Thread, label: str) -> int:
        """The instruction index a label (or `@index`, an unlabelled address) names."""
        index = code.index_at(4 * int(label[1:])) if label.startswith("@") else \
            code.labels.get(label)
        if index is None:
            raise self.error(f"label {label} not found on P{code.index}")
        return index

    def enter_handler(self) -> None:
        """Continue with the first instruction of the thread's fault handler."""
        assert self.thread.handler is not None, "only a thread with a handler enters it"
        self.after_fault = True
        self.code = self.thread.handler
        self.next_pc = 0

    def jump_index(self, code: ast.Thread, target: int, label: str | None,
                   bounded: bool) -> None:
        """Continue at instruction `target` of `code`, under herd7's loop bound
        (herd/mem.ml, `fetch_addr`): per run, the bounded jumps to an address of the
        run's own code from an address at or after it are counted per target address,
        whichever instruction jumps; the jump that would be the (N+1)th to one address
        cuts the run there. The cut run ends (see `Run.cut`)."""
        if not 0 <= target <= len(code.code):
            where = label or f".{4 * (target - self.pc):+d}"
            raise self.error(f"branch target {where} is outside the code of P{code.index}")
        address = instruction_address(code, target)
        if bounded and code.index == self.thread.index and \
                address <= instruction_address(self.code, self.pc):
            jumps = self.jumps_back.get(address, 0) + 1
            if jumps > self.env.unroll:
                self.run.cut = loop_head_name(code, target, label)
                self.finish()
                return
            self.jumps_back[address] = jumps
        self.code = code
        self.next_pc = target

    def finish(self) -> None:
        """End the run after this instruction."""
        self.code = self.thread
        self.next_pc = len(self.thread.code)

    def return_address(self) -> CodeAddr:
        """The code address of the next instruction (what BL writes into X30)."""
        return self.label_address(None, self.pc + 1)

    def label_address(self, label: str | None, index: int | None = None) -> CodeAddr:
        """The address of a label of this thread (or of an instruction index)."""
        if label is None:
            assert index is not None, "an address is a label's or an instruction index's"
            names = [n for n, i in self.code.labels.items() if i == index]
            words = self.code.address(index) // 4 + (HANDLER_WORDS if self.code.is_handler else 0)
            label = min(names) if names else f"@{words}"
        elif self.thread.code_of_label(label) is None:
            raise self.error(f"label {label} not found on P{self.code.index}, although "
                             f"used in the instruction {self.instruction.text}")
        return CodeAddr(self.code.index, label)


def add_edges(edges: list, sources, target) -> None:
    """Edges from each source event (or access) to target (or each event of an access);
    the target's value depends on a read if a source's does."""
    access = E.Access  # `E.each` inlined: this runs for every edge of every run
    for t in target if type(target) is access else (target,):
        for source in sources:
            if source is not None:
                for s in source if type(source) is access else (source,):
                    edges.append((s.num, t.num))
                    t.symbolic |= s.symbolic


HANDLER_WORDS = HANDLER_OFFSET // 4  # where a handler's code starts, in instructions


def instruction_address(code: ast.Thread, index: int) -> int:
    """herd7's address of instruction `index` of a thread's code or fault handler."""
    return CODE_SPACING * (code.index + 1) + code.address(index) + \
        (HANDLER_OFFSET if code.is_handler else 0)


def loop_head_name(code: ast.Thread, index: int, label: str | None) -> str:
    """How herd7 names a loop head in its warning: the label the branch names, else the
    first label of the instruction there, else `##` and its address."""
    if label is not None and not label.startswith("@"):
        return label
    names = [name for name, at in code.labels.items() if at == index]
    return min(names) if names else f"##{instruction_address(code, index)}"


def location_sets(env: Env, loc: str, value) -> set:
    """The sets an access (initial writes included) is in by its location and value:
    under ifetch, accesses to code are in Instr, and those carrying an instruction outside
    the architecture's list for concurrent modification in Restricted-CMODX; under vmsa,
    accesses to a page-table entry are in TTD, with the sets of the descriptor they carry,
    and code is physical memory, in neither set (herd7's Instr: the accesses to a label's
    address, herd/machAction.ml; a translated fetch reads `PA(P0:L0)`)."""
    if env.vmsa:
        return descriptor_sets(value) if is_table_location(loc) else set()
    if not (env.ifetch and loc in env.code_locations):
        return set()
    return {"Instr", "Restricted-CMODX"} if cmodx_restricted(value) else {"Instr"}



def descriptor_sets(value) -> set:
    """The sets of an access to a page-table entry carrying `value` (herd7's pteval_sets
    and memory-attribute sets): TTD; TTDINV when invalid, TTDAF0 when the access flag is
    clear; and one set per memory attribute (PTENormal, PTEISH, PTEDevice-GRE ...)."""
    sets = {"TTD"}
    if not isinstance(value, PteVal):
        return sets
    if not value.valid:
        sets.add("TTDINV")
    if not value.af:
        sets.add("TTDAF0")
    if value.attrs[0] in DEVICE_TYPES:
        sets.add(f"PTE{value.attrs[0]}")
    else:
        sets.update(f"PTE{attr}" for attr in value.attrs)
    return sets


def reg_key(name: str) -> str:
    """The architectural register a name denotes: W3 and X3 are both X3; a symbolic
    register (`%x`, written `X%x` or `W%x` in code) is one register of its own."""
    key = REG_KEYS.get(name)
    if key is None:
        if "%" in name:
            key = name[name.index("%"):]
        elif name[0] in "WX" and name[1:].isdigit():
            key = "X" + name[1:]
        elif name in ("SP", "WSP"):
            key = "SP"
        elif name == "TFSR_ELX":  # as a condition writes it, upper case
            key = "TFSR_ELx"
        else:
            key = name
        REG_KEYS[name] = key
    return key


def ref_key(ref: ast.RegRef) -> str:
    """A thread's register as declarations and conditions name it: `0:X1` (W1 is X1)."""
    return f"{ref.thread}:{reg_key(ref.reg)}"


REG_KEYS: dict[str, str] = {}  # reg_key's answers so far


class ThreadRuns:
    """One thread's runs, grown round by round as the values reads may return grow.

    Depth-first over decision sequences. Each instruction that made a decision keeps the
    state saved before it, with the index of its first decision; the next sequence
    changes the last decision it can, so the run restarts from the latest instruction
    whose first decision is at or before that one, replaying its earlier decisions.

    Every read decision taken is kept as a *read point*: its instruction's saved state,
    events and edges, and the decisions before it. A run exists for the values of a
    later round either as a run of the round before (it reads only values known then;
    the other decisions' options do not depend on values read but through the run) or
    below its first read of a new value: `grow` walks, from every read point, the
    subtree of each new value of its location, and sorts all runs in the depth-first
    order of the values now known."""

    def __init__(self, env: Env, thread: ast.Thread, registers: dict, execute):
        self.env, self.thread, self.execute = env, thread, execute
        self.decisions = Decisions()
        self.decisions.on_read = self._read_point
        self.ctx = Context(env, thread, registers, self.decisions)
        self.start = self.ctx.save()
        self.points: list[tuple] = []  # read points, as `_read_point` keeps them
        self.seen: dict[str, set] | None = None  # the values of the last `grow`
        self.keyed: list[tuple[tuple, E.Run]] = []  # (decision keys, run) in order
        self.tried = 0  # decision sequences tried (runs, and sequences abandoned)
        # The writes of the sequences the last `grow` abandoned, as (location, value) lists:
        # a prefix of a real run may end in a decision no execution takes (an indirect
        # branch to a value read that is no label), and its writes may still be read.
        self.abandoned_writes: list[list[E.Event]] = []
        self.state: tuple = self.start  # saved before the instruction running now
        self.first = 0  # the index of that instruction's first decision
        self.state_kept: tuple = (None, None)  # (a state, its events and edges)

    def release(self) -> None:
        """Drop the decisions' hold on this object, so that reference counting frees
        both once the runs are built (the garbage collector is costly)."""
        self.decisions.on_read = None

    def grow(self) -> tuple[list[E.Run], list[E.Run]]:
        """Every run under the values of env.possible now, in depth-first order, and
        those that are new since the last call."""
        ctx, decisions = self.ctx, self.decisions
        ctx.read_options.clear()
        possible = self.env.possible
        new: list[tuple[tuple, E.Run]] = []
        self.abandoned_writes = []
        if self.seen is None:
            ctx.restore(self.start)
            decisions.pos = decisions.floor = 0
            self._walk(new)
        else:
            starts: list[tuple] = []
            for point in self.points:
                loc = point[-1]
                added = possible.get(loc, {0}) - self.seen.get(loc, {0})
                starts.extend((point[2] + (repr(value),), value, point) for value in added)
            starts.sort(key=lambda start: start[0])
            for _, value, point in starts:
                self._start_at(point, value)
                self._walk(new)
        self.seen = {loc: set(values) for loc, values in possible.items()}
        if new:
            self.keyed = sorted(self.keyed + new, key=lambda item: item[0])
        return [run for _, run in self.keyed], [run for _, run in new]

    def _read_point(self, index: int, loc: str) -> None:
        """Keep a new read decision as a read point: (the saved state of its instruction
        and its events and edges, its instruction's first decision, the keys of the
        decisions before it, (location, value, pick) of its instruction's decisions
        before it, its index, its location)."""
        state, first, d = self.state, self.first, self.decisions
        if self.state_kept[0] is not state:
            self.state_kept = (state, self.ctx.kept(state))
        replay = tuple(zip(d.locs[first:index], d.values[first:index], d.prefix[first:index]))
        self.points.append((self.state_kept, first, tuple(d.keys[:index]), replay, index, loc))

    def _start_at(self, point: tuple, value) -> None:
        """Set up the walk of the subtree where a read point's read returns `value`."""
        (state, lists), first, keys, replay, index, loc = point
        ctx, d = self.ctx, self.decisions
        ctx.restore(state, lists)
        d.prefix, d.counts = [0] * first, [0] * first
        d.keys, d.values, d.locs = list(keys[:first]), [None] * first, [None] * first
        for at, (read_loc, read_value, pick) in enumerate(replay, first):
            if read_loc is not None:
                pick = ctx.options(read_loc).index(read_value)
            d.prefix.append(pick)
            d.counts.append(0)
            d.keys.append(keys[at])
            d.values.append(read_value)
            d.locs.append(read_loc)
        options = ctx.options(loc)
        d.prefix.append(options.index(value))
        d.counts.append(len(options))
        d.keys.append(repr(value))
        d.values.append(value)
        d.locs.append(loc)
        d.pos, d.floor = first, index + 1
        self.state, self.first = state, first

    def _walk(self, out: list) -> None:
        """Every run of the subtree set up, as (keys, run), onto `out`."""
        env, thread, ctx, decisions = self.env, self.thread, self.ctx, self.decisions
        execute, run = self.execute, ctx.run
        max_executions, max_steps = env.limits.max_executions, env.limits.max_steps
        saved: list[tuple[int, tuple]] = [(self.first, self.state)]
        resumed = True
        while True:
            self.tried += 1
            if self.tried > max_executions:
                raise LimitError.at(thread.pos, limit_message(
                    f"P{thread.index} has too many runs", "--max-executions",
                    max_executions))
            try:
                while ctx.pc < len(ctx.code.code):
                    if ctx.instance >= max_steps:
                        raise LimitError.at(ctx.instruction.pos, limit_message(
                            f"P{thread.index} runs on (a loop that never ends?)",
                            "--max-steps", max_steps))
                    if resumed:
                        resumed = False
                    else:
                        self.state, self.first = ctx.save(), decisions.pos
                    first = self.first
                    pc = ctx.pc
                    instr = ctx.instr = ctx.code.code[pc]
                    ctx.instance += 1
                    run.instances.append(E.InstanceInfo(pc, instr.text, instr.pos.line))
                    ctx.next_pc = pc + 1
                    try:
                        execute(ctx, instr)
                    finally:
                        if decisions.pos > first and saved[-1][1] is not self.state:
                            saved.append((first, self.state))
                    ctx.pc = ctx.next_pc
                out.append((tuple(decisions.keys), ctx.finished_run()))
            except Abandon:
                self.abandoned_writes.append([ev for ev in ctx.run.events
                                              if ev.kind == E.MEM_WRITE])
            except RunError as exc:
                # kept without its traceback, whose frames hold the run: no cycle
                out.append((tuple(decisions.keys), ctx.finished_run(exc.with_traceback(None))))
            if not decisions.next_sequence():
                return
            changed = len(decisions.prefix) - 1
            while saved[-1][0] > changed:
                saved.pop()
            self.first, self.state = saved[-1]
            ctx.restore(self.state)
            decisions.pos = self.first
            resumed = True
