"""Event annotations: the one registry of the names of the sets of events the model
starts from.

An event's kind puts it in one set (`KIND_SETS`); the instruction that makes it adds its
annotations (`Event.sets`). Every annotation an instruction may emit is listed here:
either the model reads it (`READ`: a base set of the model's thread stage), or it does not
(`NOT_READ`, with the reason, from herd7's `aarch64.cat` and the files it includes).
`Context.event` refuses any other name, so none is ever dropped silently.
"""

from __future__ import annotations

from . import events as E

# The set an event's kind puts it in (a cache operation's kind puts it in none).
KIND_SETS = {E.MEM_READ: "R", E.MEM_WRITE: "W", E.REG_READ: "Rreg", E.REG_WRITE: "Wreg",
             E.BRANCH: "B", E.FAULT: "FAULT"}

# Cache maintenance operations, and whether the instruction names an address (those that
# do not touch every cache line).
CACHE_OPERATIONS = {"IC.IALLU": False, "IC.IALLUIS": False, "DC.CVAU": True, "IC.IVAU": True,
                    "DC.CIVAC": True, "DC.CVAC": True, "DC.IVAC": True}

_SCOPES = ("NSH", "ISH", "OSH")
_MEMORY_ATTRIBUTES = ("Normal", *_SCOPES, "iWB", "iWT", "iNC", "oWB", "oWT", "oNC",
                      "Device-GRE", "Device-nGRE", "Device-nGnRE", "Device-nGnRnE")
# Barriers with a shareability domain that herd7's Arm model flags as deprecated.
_FLAGGED_BARRIERS = (*(f"DMB.{scope}{access}" for scope in _SCOPES for access in ("", "LD", "ST")),
                     *(f"DSB.{scope}{access}" for scope in _SCOPES for access in ("LD", "ST")))

# Annotations the model reads, each a base set of its thread stage.
READ = (
    "BCC",  # a conditional branch (control dependencies end at one)
    "Exp", "Imp",  # explicit and implicit accesses (the explorer computes Imp as M & ~Exp)
    "A", "Q", "L",  # acquire, acquire-PC, release
    "X", "EX", "NoRet",  # atomic, exclusive, an atomic whose result goes nowhere
    "Instr",  # an instruction fetch, or a write to code
    "DATA", "ADDR",  # the register reads an access takes its data or its address from
    "dmb.full", "dmb.ld", "dmb.st", "dsb.full", "dsb.ld", "dsb.st", "ISB",
    "DC.CVAU", "IC.IVAU", "IC.IALLU", "IC.IALLUIS",
    "Restricted-CMODX",  # an access to code with an instruction outside the CMODX list
    *_FLAGGED_BARRIERS,  # read for the model's deprecation flags
    # Virtual memory: accesses to a page-table entry, and those whose descriptor is
    # invalid or has its access flag clear (herd7's PTE, PTEINV, PTEAF0).
    "TTD", "TTDINV", "TTDAF0",
    # The memory attributes of the descriptor a page-table access carries, read by the
    # break-before-make flag (aarch64memattrs.cat).
    *(f"PTE{attr}" for attr in _MEMORY_ATTRIBUTES),
    # A fault: an exception entry of the memory management unit, of a type.
    "EXC-ENTRY", "EXC-RET", "SVC", "MMU", "Translation", "AccessFlag",
    # A TLB invalidation, and one broadcast to the inner shareable domain.
    "TLBI", "TLBIIS",
    # Memory tagging: an access to a tag location (herd7's T), and a tag-check fault.
    "T", "TagCheck",
)

_OUTSIDE_MODEL = ("aarch64.cat and the files it includes never name it: the event counts "
                  "by its kind and edges alone")
# Annotations the model does not read, and why.
NOT_READ = {
    # A branch that picks between the outcomes of one instruction (CAS comparing, an
    # instruction fetch's decode): a B event, which is all the model sees of it.
    "PRED": _OUTSIDE_MODEL,
    # Clean or invalidate to the point of coherence: the model names DC.CVAU (and the IC
    # operations) only; these stay cache-maintenance events of the frame (po, same-loc).
    "DC.CIVAC": _OUTSIDE_MODEL,
    "DC.CVAC": _OUTSIDE_MODEL,
    "DC.IVAC": _OUTSIDE_MODEL,
    # aarch64fences.cat reads them only to make dmb.full/ld/st and dsb.full/ld/st, which
    # the semantics emits itself; no flag names them.
    **{f"{kind}.{domain}": "emitted with its dmb.*/dsb.* set, which is what the model reads"
       for kind in ("DMB", "DSB") for domain in ("SY", "LD", "ST")},
    **{f"DSB.{scope}": "emitted with dsb.full, which is what the model reads"
       for scope in _SCOPES},
    # Tagged Normal memory: aarch64memattrs.cat defines TaggedNormal, no clause reads it.
    "PTETaggedNormal": "defined by aarch64memattrs.cat, read by no clause",
    # Fault details the model defines sets of but no clause reads.
    "D-MMU": "defined by aarch64util.cat (data-side MMU faults), read by no clause",
    "I-MMU": "defined by aarch64util.cat (MMU faults of fetches), read by no clause",
    "Permission": "a fault type no clause names (TLBUncacheable is Translation | AccessFlag)",
    "FAULT-RD": "faults of reads: defined, read by no clause",
    "FAULT-WR": "faults of writes: defined, read by no clause",
    "UndefinedInstruction": "a fault type no clause names",
    # A translation read under hardware management, and the update write, by the flags
    # the update sets (herd7's NExpAF, NExpAFDB).
    "AF": "read only by aarch64util.cat's assertion that every update is in AF or DB",
    "DB": "read only by aarch64util.cat's assertion that every update is in AF or DB",
}

ANNOTATIONS = frozenset(READ) | frozenset(NOT_READ)
# The sets only virtual memory (`-variant vmsa`), exceptions (SVC, UDF) and memory tagging
# give events.
VMSA_AND_EXCEPTIONS = frozenset({"T", "TagCheck",
    "FAULT", "TTD", "TTDINV", "TTDAF0", *(f"PTE{attr}" for attr in _MEMORY_ATTRIBUTES),
    "PTETaggedNormal", "EXC-ENTRY", "EXC-RET", "MMU", "D-MMU", "I-MMU", "Translation", "AccessFlag",
    "Permission", "FAULT-RD", "FAULT-WR", "TLBI", "TLBIIS", "SVC", "UndefinedInstruction",
    "AF", "DB"})
assert not set(READ) & set(NOT_READ), "an annotation is read by the model or not, not both"
assert set(CACHE_OPERATIONS) <= ANNOTATIONS


class UnknownAnnotation(Exception):
    """An event annotation this registry does not list: a bug of ours."""


def check_annotations(sets: frozenset[str]) -> frozenset[str]:
    """The annotations of an event, if the registry lists each of them."""
    if not sets <= ANNOTATIONS:
        unknown = ", ".join(sorted(sets - ANNOTATIONS))
        raise UnknownAnnotation(f"event annotation {unknown} is not in "
                                f"pylitmus/semantics/annotations.py")
    return sets
