"""From a parsed test to every thread's runs: the input of the explorer.

Works out the test's locations and their types, the initial state, the values
each read may return (to a fixpoint over all threads' writes), and then each
thread's runs under those values.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import LitmusError
from ..frontend import ast
from ..limits import LimitError, Limits
from ..variants import in_force, not_supported
from . import events as E
from .checks import check_static
from .dispatch import execute
from .machine import DEFAULT_BITS, Env, ref_key
from .machine import reg_key as register_key
from .mixed import Layout, read_values, split_read_key, written_patterns
from .shared_runs import SharedThreadRuns
from .translation import spurious_update
from .values import (
    DEFAULT_TAG,
    INSTRUCTION_BITS,
    MASK64,
    TAG_GRANULE,
    Addr,
    CodeAddr,
    InstrBits,
    ParEl1,
    PhysAddr,
    PteVal,
    TableAddr,
    Tag,
    entry_name,
    is_table_location,
    is_tag_location,
    memory_attributes,
    table_location,
    tag_location,
    tag_owner,
)

# C type -> (bits, signed): herd7's table (lib/testType.ml, size_of and is_signed), where
# `long` is 32 bits; an instruction (`ins_t`) is a 32-bit word (herd/archExtra_herd.ml).
CTYPES = {
    "int": (32, True), "long": (32, True), "int32_t": (32, True), "uint32_t": (32, False),
    "atomic_t": (32, False), "char": (8, True), "int8_t": (8, True), "uint8_t": (8, False),
    "short": (16, True), "int16_t": (16, True), "uint16_t": (16, False),
    "int64_t": (64, True), "uint64_t": (64, False), "intptr_t": (64, True),
    "uintptr_t": (64, False), "pteval_t": (64, False), "parel1_t": (64, False),
    "ins_t": (32, False),
}
WIDE_CTYPES = ("__int128_t", "__uint128_t", "__int128", "__uint128", "int128_t", "uint128_t")
DEFAULT_TYPE = (DEFAULT_BITS, True)  # herd7's `int`
POINTER_TYPE = (64, False)  # a pointer, or an untyped location that starts with an address


@dataclass
class Prepared:
    """A test ready for exploration."""

    test: ast.Test
    env: Env
    runs: list[list[E.Run]]
    init_memory: dict[str, object]
    types: dict[str, tuple[int, bool]] = field(default_factory=dict)
    variant: frozenset[str] = frozenset()

    def type_of(self, key: str) -> tuple[int, bool]:
        return self.types.get(key, DEFAULT_TYPE)


def declared_type(decl: ast.Decl, shown: set[str]) -> tuple[int, bool] | None:
    """The (bits, signed) of a declaration, None for a register whose type does not matter.

    herd7 needs the size of a location's type at once (herd/archExtra_herd.ml,
    build_size_env), and that of a register's type when it shows or compares the register
    (`shown`: keys of the registers of `locations`, the filter and the condition); it
    refuses a type it cannot size, "Cannot find the size of type" (lib/testType.ml), but
    knows the size of any pointer."""
    if decl.ctype.endswith("*"):
        return POINTER_TYPE
    if isinstance(decl.target, ast.RegRef) and ref_key(decl.target) not in shown \
            and decl.ctype not in CTYPES:
        return None
    if decl.ctype in WIDE_CTYPES:
        raise LitmusError.at(decl.pos, f"type {decl.ctype} is not supported yet "
                                       f"(pylitmus holds values of 64 bits at most)")
    if decl.ctype not in CTYPES:
        raise LitmusError.at(decl.pos, f"unknown type {decl.ctype}: herd7 cannot find its "
                                       f"size (it knows {', '.join(CTYPES)})")
    return CTYPES[decl.ctype]


def shown_registers(test: ast.Test) -> set[str]:
    """The keys (`0:X1`) of the registers that `locations`, the filter and the condition name."""
    refs = [ref for ref in test.locations if isinstance(ref, ast.RegRef)]
    for expr in (test.condition.expr, test.filter):
        refs.extend(atom.target for atom in ast.atoms(expr)
                    if isinstance(atom.target, ast.RegRef))
    return {ref_key(ref) for ref in refs}


def location_bits(init_memory: dict, types: dict, arrays: dict, code: dict) -> dict[str, int]:
    """Each location's size, that of its initial write: its declared type's, an array's
    element type's, 32 bits for an instruction; an untyped location is an `int`, or a
    pointer when it starts with an address (herd/archExtra_herd.ml, build_size_env)."""
    sizes = {}
    for loc, value in init_memory.items():
        name = loc.partition("[")[0]
        if loc in code:
            sizes[loc] = INSTRUCTION_BITS
        elif name in arrays:
            sizes[loc] = arrays[name][0] * 8
        elif name in types:
            sizes[loc] = types[name][0]
        else:
            untyped = POINTER_TYPE if isinstance(value, (Addr, CodeAddr, TableAddr, PhysAddr,
                                                         PteVal, Tag)) else DEFAULT_TYPE
            sizes[loc] = untyped[0]
    return sizes


def to_value(v: ast.Value, arrays: dict | None = None):
    """A literal's value; `x[2]` is the address of cell 2 of array x."""
    if isinstance(v, ast.TableEntry):
        return TableAddr(v.name)
    if isinstance(v, ast.Physical):
        return PhysAddr(v.name)
    if isinstance(v, ast.Descriptor):
        return descriptor_value(v)
    if isinstance(v, ast.TranslationResult):
        return ParEl1(PhysAddr("") if v.oa is None else to_value(v.oa), v.fault)
    if isinstance(v, ast.Int):
        return v.value & MASK64
    if isinstance(v, ast.Sym):
        if getattr(v, "index", None):
            size = (arrays or {}).get(v.name, (8, 0))[0]
            return Addr(v.name, v.index * size, v.tag)
        return Addr(v.name, tag=v.tag)
    if isinstance(v, ast.TagValue):
        return Tag(v.colour)
    if isinstance(v, ast.CodeLabel):
        return CodeAddr(v.thread, v.label)
    return InstrBits(v.text)


def descriptor_value(v: ast.Descriptor) -> PteVal:
    """A descriptor literal's value; without an output address (in a register), herd7's
    default one, which names no location."""
    oa = PhysAddr("") if v.oa is None else to_value(v.oa)
    try:
        attrs = memory_attributes(v.attrs)
    except ValueError as error:
        raise LitmusError.at(v.pos, str(error)) from None
    return PteVal(oa, **dict(v.fields), attrs=attrs)



def mem_key(ref: ast.MemRef) -> str:
    return ref.name if ref.index is None else f"{ref.name}[{ref.index}]"


def prepare(test: ast.Test, unroll: int = 2, requested: frozenset[str] = frozenset(),
            limits: Limits = Limits()) -> Prepared:
    """Build the environment and enumerate every thread's runs."""
    check_static(test)
    try:
        flags = in_force(test.meta, requested)
    except LitmusError as error:
        raise LitmusError(error.message, test.file) from None
    types: dict[str, tuple[int, bool]] = {}
    arrays: dict[str, tuple[int, int]] = {}
    init_memory: dict[str, object] = {}
    init_regs: list[dict[str, object]] = [dict() for _ in test.threads]
    nthreads = len(test.threads)

    shown = shown_registers(test)
    for item in test.init:
        if isinstance(item, ast.Decl):
            ctype = declared_type(item, shown)
            if ctype is None:
                continue
            if isinstance(item.target, ast.RegRef):
                types[ref_key(item.target)] = ctype
            else:
                name = item.target.name
                types[name] = ctype
                if item.array_size is not None:
                    arrays[name] = (ctype[0] // 8, item.array_size)
                    for i in range(item.array_size):
                        init_memory.setdefault(f"{name}[{i}]", 0)
                else:
                    init_memory.setdefault(name, 0)
    for item in test.init:
        if isinstance(item, ast.InitReg):
            # A symbolic register (`%x`, no thread) starts with its value in every thread.
            owners = range(nthreads) if item.target.thread is None else [item.target.thread]
            for thread in owners:
                init_regs[thread][register_key(item.target.reg)] = to_value(item.value, arrays)
        elif isinstance(item, ast.InitMem):
            name = item.target.name
            if isinstance(item.value, tuple):
                size = len(item.value)
                arrays.setdefault(name, (types.get(name, DEFAULT_TYPE)[0] // 8, size))
                for i, v in enumerate(item.value):
                    init_memory[f"{name}[{i}]"] = to_value(v, arrays)
            else:
                init_memory[mem_key(item.target)] = to_value(item.value, arrays)
    # Locations a register points to exist too, initially 0.
    for regs in init_regs:
        for value in regs.values():
            if isinstance(value, Addr) and value.base not in arrays:
                init_memory.setdefault(value.base, 0)
    for value in list(init_memory.values()):
        if isinstance(value, Addr) and value.base not in arrays:
            init_memory.setdefault(value.base, 0)

    refuse_unknown_fault_locations(test, init_memory, init_regs)
    if "vmsa" in flags:
        if "mixed" in flags:
            raise LitmusError(not_supported("mixed-size accesses under virtual memory",
                                            "variants vmsa and mixed"), test.file)
        add_page_tables(test, init_memory, init_regs, arrays)
    elif (found := virtual_memory_syntax(test)) is not None:
        syntax, pos = found
        raise LitmusError.at(pos, not_supported("virtual memory without variant vmsa", syntax))
    if "memtag" in flags:
        add_tag_locations(test, flags, init_memory, arrays)
    elif (found := memory_tagging_syntax(test)) is not None:
        syntax, pos = found
        raise LitmusError.at(pos, not_supported("memory tagging without variant memtag", syntax))
    env = Env(test, arrays, {}, {}, "ifetch" in flags, unroll, limits=limits, variants=flags)
    # Code whose address the test exports can be read (and, with ifetch, fetched).
    from .fetch import (
        as_data,
        code_locations,
        code_pages,
        code_word,
        exported_labels,
        translated_fetches,
    )
    env.code_locations = code_locations(test, init_regs)
    env.exported_labels = frozenset(exported_labels(test, init_regs))
    refuse_handler_code_as_data(test, env.exported_labels)
    if env.vmsa:
        env.code_pages = code_pages(test)
        refuse_translated_fetches_beyond(test, env, init_memory, init_regs)
        if env.ifetch:
            env.translated_fetches = translated_fetches(test, env.code_pages)
            for (thread, index), (page, word) in env.translated_fetches.items():
                env.code_locations[code_word(page, word)] = as_data(test.threads[thread], index)
    for loc, instr in env.code_locations.items():
        init_memory[loc] = instr
    # herd7 checks access sizes unless a mixed-size variant or memtag is on (herd/mem.ml:
    # mixed, memtag, morello, dontcheckmixed); pylitmus refuses the others (variants.py).
    bits = location_bits(init_memory, types, arrays, env.code_locations)
    if "mixed" in flags:
        if env.code_locations:
            raise LitmusError("mixed-size accesses to code (under --variant ifetch or to "
                              "labels) are not supported yet", test.file)
        # Tag locations stay whole: a tag is one value, not bytes.
        tags = {loc: value for loc, value in init_memory.items() if is_tag_location(loc)}
        data = {loc: value for loc, value in init_memory.items() if loc not in tags}
        cells = {loc.partition("[")[0]: (size // 8, arrays.get(loc.partition("[")[0],
                                                              (0, 1))[1])
                 for loc, size in bits.items() if loc not in tags}
        env.layout = Layout(cells)
        init_bytes = env.layout.init_bytes(data, test.file)
        env.patterns = env.layout.init_patterns(data)
        init_memory = dict(init_bytes) | tags
    elif "memtag" not in flags:  # herd7 checks no size under memtag either
        env.location_bits = bits

    env.possible = {loc: {v} for loc, v in init_memory.items()}
    runs = runs_to_value_fixpoint(env, test, init_regs, init_memory)
    if env.vmsa and env.hardware_updates.any:
        refuse_spurious_updates(env, test)
    return Prepared(test, env, runs, init_memory, types, flags)


def refuse_handler_code_as_data(test: ast.Test, exported: frozenset[tuple[int, str]]) -> None:
    """herd7 lets a test access a fault handler's instructions as data (and under ifetch
    fetch them) like any others; pylitmus only its threads' own code, so it refuses a
    test that takes the address of a label of a handler."""
    for thread, label in sorted(exported):
        owner = test.threads[thread] if 0 <= thread < len(test.threads) else None
        if owner is not None and owner.handler is not None and label in owner.handler.labels:
            raise LitmusError.at(owner.handler.label_positions[label], not_supported(
                "fault-handler code as data", f"P{thread}:{label}"))


def refuse_translated_fetches_beyond(test: ast.Test, env: Env, init_memory: dict,
                                     init_regs: list[dict]) -> None:
    """Under vmsa, pylitmus translates the fetches of straight code through page-table
    entries only the init block writes, each mapping its own page: it refuses entries of
    code without ifetch, and with ifetch exported labels, hardware updates, fault
    handlers, and the entries and physical addresses of code as values."""
    if env.code_pages and not env.ifetch:
        raise LitmusError(not_supported("page-table entries of code without instruction "
                                        "fetch", "variant ifetch"), test.file)
    if not env.ifetch:
        return
    beyond = ("labels as values under virtual memory with instruction fetch"
              if env.exported_labels else
              "hardware updates (TTHM) under virtual memory with instruction fetch"
              if env.hardware_updates.any else
              "fault handlers under virtual memory with instruction fetch"
              if any(thread.handler is not None for thread in test.threads) else None)
    if beyond is not None:
        raise LitmusError(not_supported(beyond, "variants vmsa and ifetch"), test.file)
    for page in env.code_pages:
        if not isinstance(init_memory[table_location(page)], PteVal):
            raise LitmusError(not_supported("a page-table entry of code holding no descriptor",
                                            f"{table_location(page)}="
                                            f"{init_memory[table_location(page)]}"), test.file)
    values = [*init_memory.items(), *((None, v) for regs in init_regs for v in regs.values())]
    for loc, value in values:
        named = value.oa if isinstance(value, PteVal) else value
        if isinstance(named, (TableAddr, PhysAddr)) and ":" in named.name and \
                not (loc == table_location(named.name) and named == PhysAddr(named.name)):
            raise LitmusError(not_supported("page-table entries and physical addresses of "
                                            "code as values but their own page's", str(value)),
                              test.file)


def add_spurious_values(env: Env) -> bool:
    """Add to the values of the page-table entries those spurious access-flag updates
    write (`translation.spurious_update`); were there new ones?"""
    grown = False
    for loc, values in env.possible.items():
        if is_table_location(loc):
            updated = {spurious_update(value) for value in values} - {None} - values
            values |= updated
            grown |= bool(updated)
    return grown


def refuse_spurious_updates(env: Env, test: ast.Test) -> None:
    """herd7 would try a spurious access-flag update (`explorer/spurious.py`) after a
    write of a page-table entry with a value that is not a descriptor: pylitmus refuses
    a test where an entry may hold one."""
    for loc, values in env.possible.items():
        if not is_table_location(loc):
            continue
        for value in sorted(values, key=repr):
            if not isinstance(value, PteVal):
                raise LitmusError(f"spurious access-flag updates of a value that is not a "
                                  f"descriptor are not supported yet ([{loc}] may hold "
                                  f"{value})", test.file)


def state_values_and_places(test: ast.Test) -> tuple[list[tuple[object, ast.Pos]], list]:
    """The values the init block, the filter and the condition write (with where), and
    the places they name (locations, registers, fault atoms)."""
    values: list[tuple[object, ast.Pos]] = [(item.value, item.pos) for item in test.init
                                            if isinstance(item, (ast.InitReg, ast.InitMem))]
    values += [(atom.value, atom.target.pos) for expr in (test.filter, test.condition.expr)
               for atom in ast.atoms(expr)]
    refs: list[ast.RegRef | ast.MemRef | ast.FaultAtom] = [
        item.target for item in test.init if isinstance(item, (ast.InitMem, ast.Decl))]
    return values, refs + final_places(test)


def final_places(test: ast.Test) -> list:
    """The places the final part names: its locations, those of the filter and the
    condition."""
    return [*test.locations, *(atom.target for expr in (test.filter, test.condition.expr)
                               for atom in ast.atoms(expr))]


def virtual_memory_syntax(test: ast.Test) -> tuple[str, ast.Pos] | None:
    """The first page-table value, location, TLB invalidation or address translation of
    the test, as written, and where it is, if any (fault atoms are not: SVC and UDF fault
    without vmsa)."""
    values, refs = state_values_and_places(test)
    for value, pos in values:
        if isinstance(value, ast.TableEntry):
            return f"PTE({value.name})", pos
        if isinstance(value, ast.Physical):
            return f"PA({value.name})", pos
        if isinstance(value, ast.Descriptor):
            return "a descriptor", value.pos
    for ref in refs:
        if isinstance(ref, ast.MemRef) and entry_name(ref.name) is not None:
            return ref.name, ref.pos
    for thread in test.threads:
        for instr in thread.code:
            if instr.mnemonic in ("TLBI", "AT"):
                return instr.mnemonic, instr.pos
    return None


def memory_tagging_syntax(test: ast.Test) -> tuple[str, ast.Pos] | None:
    """The first tagged address, tag, tag location or tag instruction of the test, as
    written, and where it is, if any."""
    values, refs = state_values_and_places(test)
    for value, pos in values:
        if isinstance(value, ast.Sym) and value.tag:
            return f"{value.name}:{value.tag}", pos
        if isinstance(value, ast.TagValue):
            return f":{value.colour}", pos
    for ref in refs:
        if isinstance(ref, ast.MemRef) and is_tag_location(ref.name):
            return ref.name, ref.pos
    for thread in test.threads:
        for instr in thread.code:
            # herd7 refuses them without memtag
            if instr.mnemonic in ("STG", "ST2G", "STZG", "STZ2G", "LDG", "IRG"):
                return instr.mnemonic, instr.pos
    return None


def add_tag_locations(test: ast.Test, flags: frozenset[str], init_memory: dict,
                      arrays: dict) -> None:
    """Under memtag, every data location x has a tag location `tag(x)`, an array one per
    16-byte granule (`tag(t+16)`), initially its declared tag or green (herd7 makes the
    initial writes of both)."""
    for other, what in (("vmsa", "memory tagging under virtual memory"),
                        ("ifetch", "memory tagging with instruction fetch")):
        if other in flags:
            raise LitmusError(not_supported(what, f"variants memtag and {other}"), test.file)
    names = {tag_owner(loc) or loc.partition("[")[0] for loc in init_memory}
    for name in names:
        if name in arrays:  # a tag per granule of its bytes
            size, length = arrays[name]
            for offset in range(0, size * length, TAG_GRANULE):
                init_memory.setdefault(tag_location(name, offset), Tag(DEFAULT_TAG))
            continue
        init_memory.setdefault(name, 0)
        init_memory.setdefault(tag_location(name), Tag(DEFAULT_TAG))


def base_name(loc: str) -> str:
    """The name of the location a memory location belongs to: `x` for `x`, `t[1]`, `x+8`
    and `PTE(x)`."""
    return entry_name(loc) or loc.partition("[")[0].partition("+")[0]


def given_names(init_memory: dict, init_regs: list[dict]) -> set[str]:
    """The names the init block gives, herd7's symbols of the test's initial state: those
    of its locations and those its values name (addresses, page-table entries, physical
    addresses, descriptors' output addresses). A final state names no other location
    (herd7: "Post-condition introduces new symbolic location(s)")."""
    given = {base_name(loc) for loc in init_memory}
    for value in [*init_memory.values(), *(v for regs in init_regs for v in regs.values())]:
        if isinstance(value, Addr):
            given.add(value.base)
        elif isinstance(value, (TableAddr, PhysAddr)):
            given.add(value.name)
        elif isinstance(value, PteVal):
            given.add(value.oa.name)
    return given


def refuse_unknown_fault_locations(test: ast.Test, init_memory: dict,
                                   init_regs: list[dict]) -> None:
    """A fault atom's location must be one the init block gives, as herd7 requires."""
    atoms = [ref for ref in test.locations if isinstance(ref, ast.FaultAtom)]
    atoms += [*ast.fault_atoms(test.filter), *ast.fault_atoms(test.condition.expr)]
    located = [(atom.loc, atom.pos) for atom in atoms if atom.loc is not None]
    if not located:
        return
    given = given_names(init_memory, init_regs)
    for loc, pos in located:
        if base_name(loc) not in given:
            raise LitmusError.at(pos, f"location {loc} is not a location of the test")


def add_page_tables(test: ast.Test, init_memory: dict, init_regs: list[dict],
                    arrays: dict) -> None:
    """Under vmsa, every virtual location x (a data location of the test, or one the
    final state shows) has a page-table entry `PTE(x)`, initially its declared descriptor
    or `(oa:PA(x))`, and physical memory, initially its declared value or 0 (herd7 makes
    both initial writes). A name only a descriptor, a physical address, an entry's address
    or an entry's initial value gives (`(oa:PA(z))`, `phy_z`, `pte_z`, `pte_z=(...)`) has
    no physical memory, as in herd7 (herd/mem.ml, get_all_mem_locs; eventsMonad.ml,
    add_initpte): a read translated to it has nothing to read."""
    names = {base_name(loc) for loc in init_memory if not is_table_location(loc)}
    given = given_names(init_memory, init_regs)
    shown = {base_name(mem_key(ref)) for ref in final_places(test)
             if isinstance(ref, ast.MemRef)}
    names |= shown & given
    for loc, value in init_memory.items():
        if is_table_location(loc) and not isinstance(value, (PteVal, PhysAddr)):
            raise LitmusError(f"cannot initialise [{loc}] with {value} (herd7's error: an "
                              f"entry holds a descriptor)", test.file)
    for value in [*init_memory.values(), *(v for regs in init_regs for v in regs.values())]:
        if isinstance(value, TableAddr) and value.name not in names and \
                table_location(value.name) not in init_memory:
            # herd7 gives it no initial write, and rejects a test reading it on any path
            raise LitmusError(not_supported("the page-table entry of a name that is no "
                                            "location of the test", str(value)), test.file)
    for name in names:
        if name not in arrays:  # an array's cells are its memory
            init_memory.setdefault(name, 0)
        init_memory.setdefault(table_location(name), PteVal(PhysAddr(name)))


def runs_to_value_fixpoint(env: Env, test: ast.Test, init_regs: list[dict],
                           init_memory: dict[str, object]) -> list[list[E.Run]]:
    """Every thread's runs, reads returning any value some run writes to the location.

    Round k runs the threads with the values found before it, then adds what they write.
    It stops when no value is new, or when no consistent execution can need a value not
    yet found (docs/explorer.md, "Values"): in an execution, a write whose value or
    existence depends on reads is ordered after the writes they read, so a value first
    found in round k ends a chain of k writes of that execution, and round k's runs, one
    per thread (or decision sequences abandoned on the way), hold all k of them. So once
    the most writes one run per thread holds is below k, every consistent execution's runs
    are among round k's.
    """
    threads = [SharedThreadRuns(env, t, init_regs[t.index], execute) for t in test.threads]
    try:
        return _rounds(env, test, init_memory, threads)
    finally:
        for thread in threads:
            thread.release()


def _grow_read_values(env: Env) -> bool:
    """Under the mixed variant, the values of each range read so far, from the whole
    writes known now; whether some range has a new one."""
    grown = False
    for key, values in env.possible.items():
        if "@" in key:
            base, offset, size, thread, instance = split_read_key(key)
            new = read_values(env.patterns[base], offset, size, thread, instance) - values
            if new:
                values |= new
                grown = True
    return grown


def _rounds(env: Env, test: ast.Test, init_memory: dict[str, object],
            threads: list[SharedThreadRuns]) -> list[list[E.Run]]:
    """The rounds of `runs_to_value_fixpoint` over the threads' runs."""
    most = [0] * len(threads)  # the most writes a run of each thread holds
    spurious = env.vmsa and env.hardware_updates.any
    if spurious:
        add_spurious_values(env)
    rounds = 0
    while True:
        rounds += 1
        grown_runs = [thread.grow() for thread in threads]
        runs = [every for every, _ in grown_runs]
        grown = False
        # A run of an earlier round wrote only values found then: only new runs can add.
        # Abandoned sequences count as runs here: their writes happen in the runs that
        # share their prefix and take another decision where they were abandoned.
        for t, (_, new) in enumerate(grown_runs):
            writes_of_runs = [[ev for ev in run.events if ev.kind == E.MEM_WRITE]
                              for run in new]
            for writes in writes_of_runs + threads[t].abandoned_writes:
                for ev in writes:
                    assert ev.loc is not None  # a memory write has a location
                    values = env.possible.setdefault(ev.loc, {init_memory.get(ev.loc, 0)})
                    if ev.value not in values:
                        values.add(ev.value)
                        grown = True
                if env.layout is None:
                    most[t] = max(most[t], len(writes))
                    continue
                # Under the mixed variant the chain above is one of whole writes (of bytes,
                # or of tags).
                patterns = written_patterns(writes, t)
                for base, pattern in patterns:
                    env.patterns[base].add(pattern)
                tags = sum(is_tag_location(ev.loc) for ev in writes)  # type: ignore[arg-type]
                most[t] = max(most[t], len(patterns) + tags)
        if env.layout is not None:
            grown |= _grow_read_values(env)
        if spurious:
            grown |= add_spurious_values(env)
        if not grown:
            return runs
        # A spurious update follows a write (an initial one included) but makes no chain
        # longer than twice the writes of the threads, and those of the tables, could.
        chain = 2 * sum(most) + len(env.possible) if spurious else sum(most)
        if chain < rounds:
            if env.ifetch:
                # A fetched instruction's effects depend on the fetch by iico edges that
                # the model does not order: the argument above does not hold.
                raise LimitError("the values reads may return grow without end "
                                 "under instruction fetch: pylitmus cannot bound them", test.file)
            return runs
