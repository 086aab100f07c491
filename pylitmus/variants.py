"""herd7's model variants (`--variant`, a test's `Variant=` and `CacheType=` lines), and the
syntax of the features they bring that pylitmus lacks.

Every name herd7 accepts (its `herd/variant.ml`, case-insensitive, with its aliases) is
either implemented exactly, without effect on the AArch64 model pylitmus runs (the reason
is given), or refused with one line naming what pylitmus lacks. Names herd7 does not know
are refused as herd7 refuses them. A test that uses such a feature without naming its
variant (herd7 reads `PTE(x)`, `Fault(...)`, `MSR` ... in any test) is refused the same way.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from .errors import LitmusError

# herd7's list of variant tags, as its error message for an unknown one gives it.
HERD_TAGS = (
    "success,instr,specialx0,normw,acqrelasfence,backcompat,FullScDepend,SplittedRMW,"
    "SwitchDepScWrite,SwitchDepScResult,LrScDiffOk,NotWeakPredicated,lkmmv1,lkmmv2,CutOff,"
    "Morello,Deps,Instances,OptRfRMW,ConstrainedUnpredictable,exp,cos-opt,test,T[0-9][0-9],"
    "ASL,ASL+AArch64,ASLv0,ASLv1,S128,strict,warn,ASLType+Warn,ASLType+Silence,ASLType+Check,"
    "ASL+AArch64+UDF,telechat,OldSolver,oota,ets,ets2,ets3,exs,eis,eos,dic,idc,NV2,mixed,"
    "unaligned,DontCheckMixed,ifetch,vmsa,NoPteBranch,pte-squared,d128,Neon,sve,sve:128,sme,"
    "sme:128,pauth1,pauth2,const-pac-field,fpac,memtag,store-only,shadowstack,no-key-da,"
    "no-key-db,no-key-ia,no-key-ib,synchronous,asynchronous,asymmetric,handled,fatal,"
    "faultToNext")

# Each spelling herd7 accepts (lower case) -> herd7's own name for the variant.
_SPELLINGS = {
    "ifetch": "ifetch", "self": "ifetch",
    "telechat": "telechat",
    "fatal": "fatal", "precise": "fatal",
    "handled": "handled", "imprecise": "handled",
    "faulttonext": "faultToNext", "skip": "faultToNext",
    "specialx0": "specialx0", "amox0": "specialx0", "x0": "specialx0",
    "splittedrmw": "SplittedRMW", "lrscdiffok": "LrScDiffOk", "acqrelasfence": "acqrelasfence",
    "normw": "normw", "lkmmv1": "lkmmv1", "lkmmv2": "lkmmv2", "s128": "S128",
    "vmsa": "vmsa", "kvm": "vmsa", "noptebranch": "NoPteBranch", "nobranch": "NoPteBranch",
    "pte2": "pte-squared", "pte-squared": "pte-squared", "d128": "d128",
    "ets": "ets", "ets2": "ets2", "ets3": "ets3", "exs": "exs", "eis": "eis", "eos": "eos",
    "nv2": "NV2",
    "mixed": "mixed", "unaligned": "unaligned", "dontcheckmixed": "DontCheckMixed",
    "memtag": "memtag", "tagmem": "memtag", "mte": "memtag", "store-only": "store-only",
    "synchronous": "synchronous", "sync": "synchronous", "asynchronous": "asynchronous",
    "async": "asynchronous", "asymmetric": "asymmetric", "asym": "asymmetric",
    "neon": "Neon", "sve": "sve", "sme": "sme",
    "pauth1": "pauth1", "pauth2": "pauth2", "no-key-da": "no-key-da", "no-key-db": "no-key-db",
    "no-key-ia": "no-key-ia", "no-key-ib": "no-key-ib", "const-pac-field": "const-pac-field",
    "fpac": "fpac",
    "shadowstack": "shadowstack", "morello": "Morello",
    "asl": "ASL", "asl_aarch64": "ASL+AArch64", "aslaarch64": "ASL+AArch64",
    "asl+aarch64": "ASL+AArch64", "aslv0": "ASLv0", "asl0": "ASLv0", "asl_0": "ASLv0",
    "aslv1": "ASLv1", "asl1": "ASLv1", "asl_1": "ASLv1", "asltype+warn": "ASLType+Warn",
    "asltype+silence": "ASLType+Silence", "asltype+check": "ASLType+Check",
    "asl+aarch64+udf": "ASL+AArch64+UDF", "strict": "strict", "warn": "warn", "cutoff": "CutOff",
    "success": "success", "instr": "instr", "backcompat": "backcompat", "back": "backcompat",
    "fullscdepend": "FullScDepend", "scdepend": "FullScDepend",
    "switchdepscwrite": "SwitchDepScWrite", "switchdepscresult": "SwitchDepScResult",
    "notweakpredicated": "NotWeakPredicated", "notweakpred": "NotWeakPredicated",
    "deps": "Deps", "instances": "Instances", "instance": "Instances", "optrfrmw": "OptRfRMW",
    "constrainedunpredictable": "ConstrainedUnpredictable", "cu": "ConstrainedUnpredictable",
    "exp": "exp", "cos-opt": "cos-opt", "test": "test", "oldsolver": "OldSolver", "oota": "oota",
}
_NUMBERED_FLAG = re.compile(r"t([0-9][0-9])")  # T00 .. T99
_VECTOR_LENGTH = re.compile(r"(sve|sme):([0-9]+)")

# Variants pylitmus runs exactly: the model's own flags.
IMPLEMENTED = frozenset({
    "ifetch",  # instruction fetch (pylitmus/semantics/fetch.py, `if "ifetch"` in the model)
    "telechat",  # RET without a register ends the thread (pylitmus/semantics/isa.py)
    # virtual memory: translation of loads and stores, faults, descriptors, TLBI
    # (pylitmus/semantics/translation.py, `if vmsa` in the model), fault handlers,
    # hardware updates (refused where spurious updates may happen)
    "vmsa",
    # what a thread does after a fault with no handler (translation.py, `after_fault`);
    # fatal is herd7's default
    "fatal", "handled", "faultToNext",
    # enhanced exception synchronization: which exception entries and returns are
    # context-synchronizing (`if exs` in the model's IFB)
    "exs", "eis", "eos",
    # enhanced translation synchronization: DSBs order translation reads, and ets-ob
    # (`if ets2`, `if ets3` in the model)
    "ets2", "ets3",
    "mixed",  # memory as bytes (pylitmus/semantics/mixed.py, `if mixed` in the model)
    # memory tagging: tagged pointers, tag locations, tag checks of explicit accesses and
    # their faults (pylitmus/semantics/translation.py, `if memtag` in the model), STG, ST2G,
    # STZG, STZ2G, LDG, IRG;
    # how a tag mismatch is reported (synchronous is herd7's default)
    "memtag", "synchronous", "asynchronous", "asymmetric",
    "store-only",  # loads tag-unchecked
})

# herd7's fault handlings (lib/fault.ml, Handling): one at most.
FAULT_HANDLINGS = ("fatal", "handled", "faultToNext")
# How a tag-check fault is reported (lib/precision.ml): one at most, synchronous by default.
MTE_PRECISIONS = ("synchronous", "asynchronous", "asymmetric")

# Variants that change nothing in what pylitmus checks, and why.
NO_EFFECT = {
    # Read only by herd7's semantics of other architectures (RISCVSem.ml, CSem.ml,
    # CParseTest.ml), never by AArch64Sem.ml or the Arm model.
    "specialx0": "RISC-V only", "SplittedRMW": "RISC-V only", "LrScDiffOk": "RISC-V only",
    "acqrelasfence": "RISC-V only", "normw": "C only", "lkmmv1": "C only", "lkmmv2": "C only",
    "S128": "C only",
    # Read by no herd7 code, only by a cat file's `if "exp"`, and the Arm model reads none
    # (nor T00 .. T99, below).
    "exp": "a cat-file flag", "test": "a cat-file flag", "Instances": "a cat-file flag",
}
_NO_EFFECT_FLAG = re.compile(r"T[0-9][0-9]")

# What pylitmus lacks for each refused variant: "<what> (variant NAME) is/are not supported yet".
_MISSING = {
    "virtual memory without a branch on each descriptor": ("NoPteBranch",),
    "page tables of page tables": ("pte-squared",),
    "128-bit descriptors": ("d128",),
    "enhanced translation synchronization without ETS2 or ETS3": ("ets",),
    "nested virtualisation": ("NV2",),
    "unaligned or unchecked mixed-size accesses": ("unaligned", "DontCheckMixed"),
    "Advanced SIMD": ("Neon",),
    "the Scalable Vector Extension": ("sve",),
    "the Scalable Matrix Extension": ("sme",),
    "pointer authentication": ("pauth1", "pauth2", "no-key-da", "no-key-db", "no-key-ia",
                               "no-key-ib", "const-pac-field", "fpac"),
    "the Guarded Control Stack": ("shadowstack",),
    "Morello capabilities": ("Morello",),
    "instruction semantics from ASL": ("ASL", "ASL+AArch64", "ASLv0", "ASLv1", "ASLType+Warn",
                                       "ASLType+Silence", "ASLType+Check", "ASL+AArch64+UDF",
                                       "strict", "warn", "CutOff"),
}
MISSING = {name: what for what, names in _MISSING.items() for name in names}
_PLURAL = frozenset({"unaligned or unchecked mixed-size accesses",
                     "Morello capabilities",
                     "faults", "exceptions", "exception levels", "exception handlers",
                     "system registers", "HINT instructions",
                     "128-bit descriptors",
                     "page tables of page tables", "mixed-size accesses under virtual memory",
                     "labels as values under virtual memory with instruction fetch",
                     "hardware updates (TTHM) under virtual memory with instruction fetch",
                     "fault handlers under virtual memory with instruction fetch",
                     "page-table entries of code without instruction fetch",
                     "page-table entries and physical addresses of code as values but their "
                     "own page's",
                     "the page-table entries and physical memory of code in the final part"})

# Memory tags (`x:red`, `[tag(x)]=:red`), in the order of herd7's numbers for them
# (lib/misc.ml, tag_int_assoc).
TAG_COLOURS = ("green", "red", "blue", "black", "white", "cyan", "yellow", "magenta")

# ---- syntax of the features pylitmus lacks ------------------------------------------------

# In the final part: the page-table entry or physical memory of code (`TTD(P0:L0)`).
FINAL_SYNTAX = tuple((re.compile(pattern), what) for pattern, what in (
    (r"\b(?:PTE|TTD|PA)\s*\(\s*P?[0-9]+\s*:[^()]*\)?",
     "the page-table entries and physical memory of code in the final part"),
))
# A thread-table column of a fault handler (`P1.F`).
HANDLER_THREAD = re.compile(r"P([0-9]+)\.([A-Za-z]+)")
# Instructions, by mnemonic.
_FEATURE_MNEMONICS = {
    "exceptions": "HVC SMC ERETAA ERETAB BRK HLT",
    "memory tagging": "STGP ADDG SUBG GMI SUBP SUBPS LDGM STGM STZGM",
    "the Guarded Control Stack": "GCSSTR GCSSTTR GCSPUSHM GCSPOPM GCSSS1 GCSSS2 GCSPUSHX GCSPOPX",
    "HINT instructions": "HINT",
    "the Scalable Matrix Extension": "SMSTART SMSTOP",
}
FEATURE_MNEMONICS = {mnemonic: what for what, mnemonics in _FEATURE_MNEMONICS.items()
                     for mnemonic in mnemonics.split()}
POINTER_AUTHENTICATION = re.compile(
    r"(?:PAC|AUT)(?:[ID]Z?[AB]|I[AB](?:1716|SP|Z))|PACGA|XPAC(?:[ID]|LRI)|RETA[AB]|BRA[AB]Z?"
    r"|BLRA[AB]Z?|LDRA[AB]", re.IGNORECASE)
# Operands: vector, predicate and SIMD&FP registers.
VECTOR_OPERANDS = tuple((re.compile(pattern), what) for pattern, what in (
    (r"\b[Zz][0-9]{1,2}\.[BHSDQbhsdq]\b|\b[Pp][0-9]{1,2}(?:/[ZzMm]|\.[BHSDbhsd])\b",
     "the Scalable Vector Extension"),
    (r"\bZA[A-Za-z0-9]*\b", "the Scalable Matrix Extension"),
    (r"\b[Vv][0-9]{1,2}\.[0-9]*[BHSDbhsd]\b|\{|\b[QqDd][0-9]{1,2}\b", "Advanced SIMD"),
))


def not_supported(what: str, syntax: str) -> str:
    """The message for a feature pylitmus lacks: `virtual memory (PTE(x)) is not supported yet`."""
    return f"{what} ({syntax}) {'are' if what in _PLURAL else 'is'} not supported yet"


def instruction_feature(mnemonic: str, operands: str) -> tuple[str, str] | None:
    """What an instruction needs that pylitmus lacks, and where in `operands` (or None)."""
    upper = mnemonic.upper()
    if upper in FEATURE_MNEMONICS:
        return FEATURE_MNEMONICS[upper], mnemonic
    if POINTER_AUTHENTICATION.fullmatch(upper):
        return "pointer authentication", mnemonic
    for pattern, what in VECTOR_OPERANDS:
        if (match := pattern.search(operands)) is not None:
            return what, match.group()
    return None


class VariantError(LitmusError):
    """A variant name pylitmus refuses; `word` is the name as written."""

    def __init__(self, message: str, word: str):
        super().__init__(message)
        self.word = word


def variant_name(word: str) -> str:
    """herd7's name for a variant as written (any case, any alias); refuses unknown ones."""
    lower = word.lower()
    if lower in _SPELLINGS:
        return _SPELLINGS[lower]
    if (match := _NUMBERED_FLAG.fullmatch(lower)) is not None:
        return f"T{match.group(1)}"
    if (match := _VECTOR_LENGTH.fullmatch(lower)) is not None:
        length = int(match.group(2))
        if length < 128 or length > 2048 or length % 128:
            raise VariantError(f"{length} is not a valid {match.group(1).upper()} vector length "
                               f"(a multiple of 128 between 128 and 2048)", word)
        return match.group(1)
    if lower in ("dic", "idc"):
        raise VariantError(f"{word} is not a variant: DIC and IDC come from a test's "
                           f"CacheType= line", word)
    raise VariantError(f"unknown variant {word} (herd7's variants: {HERD_TAGS})", word)


def supported_name(word: str) -> str:
    """herd7's name for a variant pylitmus implements or that changes nothing; refuses others
    with one line naming what is missing."""
    name = variant_name(word)
    if name in MISSING:
        raise VariantError(not_supported(MISSING[name], f"variant {word}"), word)
    if name not in IMPLEMENTED and name not in NO_EFFECT and not _NO_EFFECT_FLAG.fullmatch(name):
        raise VariantError(not_supported(f"herd7's mode {name}", f"variant {word}"), word)
    return name


# A word of a TTHM= line (herd7's lib/dirtyBit.mll): a key, for one thread (`P1:HD`) or all.
TTHM_WORD = re.compile(r"(?:P?([0-9]+):)?([A-Za-z]+)")


class HardwareUpdates(NamedTuple):
    """A test's TTHM= line: the threads whose hardware sets the access flag of the
    descriptors it translates through (HA) and those that set the dirty bit too (HD); None
    stands for every thread."""

    access_flag: frozenset[int | None] = frozenset()
    dirty_bit: frozenset[int | None] = frozenset()

    def of(self, thread: int) -> tuple[bool, bool]:
        """Does hardware set the access flag, the dirty bit, for a thread? (HD implies HA.)"""
        hd = bool(self.dirty_bit & {None, thread})
        return hd or bool(self.access_flag & {None, thread}), hd

    @property
    def any(self) -> bool:
        """Does hardware update the tables for some thread?"""
        return bool(self.access_flag or self.dirty_bit)


def hardware_updates(text: str) -> HardwareUpdates:
    """Read a TTHM= line as herd7's lexer does: keys HA, HD (any case) separated by blanks,
    each for every thread or one (`P0:HA`, `0:HA`); refuses what herd7 refuses, and SW,
    which pylitmus lacks."""
    flags: dict[str, set] = {"HA": set(), "HD": set()}
    index = 0
    while index < len(text):
        if text[index] in " \t\r":
            index += 1
            continue
        match = TTHM_WORD.match(text, index)
        if match is None:
            raise VariantError(f"incorrect dirty bit management specification '{text}'",
                               text[index:])
        key = match.group(2).upper()
        if key == "SW":
            raise VariantError(not_supported("software management of the flags for one "
                                             "thread", f"TTHM key {match.group()}"),
                               match.group())
        if key not in flags:
            raise VariantError(f"'{match.group(2)}' is not a dirty bit management key, keys "
                               f"are SW,HA,HD", match.group())
        flags[key].add(None if match.group(1) is None else int(match.group(1)))
        index = match.end()
    return HardwareUpdates(frozenset(flags["HA"]), frozenset(flags["HD"]))


def words(text: str) -> list[str]:
    """The names of a variant list: herd7 splits a test's line at spaces and commas."""
    return [word for word in re.split(r"[\s,]+", text) if word]


def parse_variants(text: str) -> frozenset[str]:
    """The variants of a `--variant` or `Variant=` list, by herd7's names."""
    return frozenset(supported_name(word) for word in words(text))


def cache_type(text: str) -> frozenset[str]:
    """The model flags of a `CacheType=` line: DIC, IDC (any case); DIC implies IDC."""
    flags = set()
    for word in text.split():
        if not word.isalpha():
            raise VariantError(f"incorrect cache-type feature specification '{text}'", word)
        if word.upper() not in ("DIC", "IDC"):
            raise VariantError(f"'{word}' is not a cache-type key, keys are DIC, IDC", word)
        flags.add(word.upper())
    if "DIC" in flags:
        flags.add("IDC")
    return frozenset(flags)


# herd7's model flags every execution with an event (any: an initial write, or an
# instruction's) under variants it does not support together (aarch64util.cat,
# `flag ~empty (if "vmsa" && "ifetch" then _ else 0)`); pylitmus refuses the others.
COMBINATION_FLAGS = {frozenset({"vmsa", "ifetch"}): "combining-vmsa-and-ifetch-is-not-supported"}


def combination_flags(variants: frozenset[str]) -> frozenset[str]:
    """The flags of the variants in force that herd7 does not support together."""
    return frozenset(flag for combined, flag in COMBINATION_FLAGS.items() if combined <= variants)


def in_force(meta: dict[str, str], requested: frozenset[str]) -> frozenset[str]:
    """The variants in force for a test: the requested ones, the test's `Variant=` line and
    the flags of its `CacheType=` line."""
    named = {supported_name(word) for word in requested}
    own = [supported_name(word) for word in words(meta.get("Variant", ""))]
    for choices, what in ((FAULT_HANDLINGS, "fault handlings"),
                          (MTE_PRECISIONS, "tag-check precisions")):
        chosen = [name for name in choices if name in named]
        if len(chosen) > 1:
            raise VariantError(f"two {what} requested ({' and '.join(chosen)})", chosen[1])
        # The test's line overrides the choice requested, its last one winning (herd7's
        # lib/testVariant.ml sets one reference, tag after tag).
        own_chosen = [name for name in own if name in choices]
        if own_chosen:
            named -= set(choices)
            own = [name for name in own if name not in choices] + own_chosen[-1:]
    return frozenset(named | set(own) | cache_type(meta.get("CacheType", "")))
