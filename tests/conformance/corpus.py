"""Compare pylitmus with herd7's recorded answers in ../shared/corpus/expected.json."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from pylitmus.variants import words

# The reference data: ../shared beside the repository, or where PYLITMUS_SHARED says (a
# missing folder shows how the tests go without it: those that need it skip, saying why).
SHARED = Path(os.environ.get("PYLITMUS_SHARED")
              or Path(__file__).resolve().parents[2].parent / "shared")
CORPUS = SHARED / "corpus"
CORE_SUITES = ("herd-instructions", "catalogue-aarch64", "catalogue-cas", "catalogue-pick",
               "catalogue-readers-guide", "diycross")
IFETCH_SUITES = ("catalogue-ifetch", "herd-self", "seed")
MIXED_SUITES = ("herd-mixed", "catalogue-mixed", "diycross-mixed")  # -variant mixed
# Suites of features pylitmus lacks (virtual memory, faults, memory tagging): every test
# there is refused, or gets herd7's verdict.
FEATURE_SUITES = ("catalogue-vmsa", "catalogue-bbm", "catalogue-faults", "catalogue-ets2",
                  "catalogue-ets3", "herd-kvm", "herd-vmsa-ifetch", "herd-mte")
ALL_SUITES = CORE_SUITES + IFETCH_SUITES + MIXED_SUITES + FEATURE_SUITES
# The corpus's features (expected.json) pylitmus implements.
IMPLEMENTED_FEATURES = frozenset({"mixed"})


def in_scope(entry: dict) -> bool:
    """Does pylitmus implement every feature the entry needs?"""
    return set(entry.get("features", ())) <= IMPLEMENTED_FEATURES
# The feature suites of virtual memory, whose tests pylitmus answers in part (the others
# it refuses): the engines' differential covers them.
VMSA_SUITES = ("catalogue-vmsa", "catalogue-bbm", "catalogue-faults", "herd-kvm")
# Those of memory tagging (-variant memtag; catalogue-ets3 has one test): likewise.
MEMTAG_SUITES = ("herd-mte", "catalogue-ets3")


def load_expected() -> dict:
    return json.loads((CORPUS / "expected.json").read_text())


def options_for(entry: dict) -> dict:
    """pylitmus options equivalent to the herd7 options recorded for an entry."""
    opts = entry.get("herd_options", [])
    out = {"variant": frozenset(), "unroll": 2, "hexa": False}
    for i, word in enumerate(opts):
        if word == "-variant":
            out["variant"] = frozenset(words(opts[i + 1]))
        elif word == "-unroll":
            out["unroll"] = int(opts[i + 1])
        elif word == "-hexa":
            out["hexa"] = opts[i + 1] == "true"
    return out


@dataclass
class Comparison:
    path: str
    status: str  # agree | disagree | error | crash
    detail: str = ""
    seconds: float = 0.0


def compare(path: str, entry: dict, engine: str = "auto", model: str | None = None,
            libdir: str | None = None) -> Comparison:
    """Check one corpus test (under `model`, a cat file, when given) against herd7's
    record of it."""
    from pylitmus.checker import Options, check_test
    from pylitmus.errors import LitmusError
    from pylitmus.frontend import parse_file
    from pylitmus.report.herdtext import condition_text, state_text

    opts = options_for(entry)
    try:
        test = parse_file(CORPUS / path)
        result = check_test(test, Options(opts["variant"], opts["unroll"], engine,
                                          model=model, libdir=libdir))
    except LitmusError as exc:
        if "error" in entry:
            return Comparison(path, "agree", f"refused: {exc.message}")
        return Comparison(path, "error", str(exc).splitlines()[0])
    except Exception as exc:  # a bug of ours: counted, never hidden
        return Comparison(path, "crash", f"{type(exc).__name__}: {exc}")
    if "error" in entry:
        return Comparison(path, "disagree", "herd7 refuses this test; pylitmus gave a verdict")
    got = {
        # herd7's record holds its non-empty state lines, in its order (a test showing no
        # location prints one empty line), each with its runs of spaces made one (herd7
        # writes two before a `~Fault` when no fault is shown).
        "states": [line for line in (" ".join(state_text(s.values, opts["hexa"]).split())
                                     for s in result.states) if line],
        "ok": result.ok, "positive": result.positive, "negative": result.negative,
        "observation": result.observation, "flags": sorted(result.flags),
        "condition": condition_text(result.quantifier, result.condition_tree, opts["hexa"]),
        "loop": result.loop,
    }
    want = {
        "states": entry.get("states", got["states"]), "ok": entry.get("ok", got["ok"]),
        "positive": entry["positive"], "negative": entry["negative"],
        "observation": entry["observation"], "flags": sorted(entry.get("flags", [])),
        "condition": entry.get("condition", got["condition"]),
        "loop": entry.get("loop", False),  # herd7's `Loop Ok` / `Loop No`
    }
    diffs = [k for k in want if got[k] != want[k]]
    if diffs:
        detail = "; ".join(f"{k}: got {got[k]} want {want[k]}" for k in diffs if k != "states")
        if "states" in diffs:
            detail += f"; states: got {got['states']} want {want['states']}"
        return Comparison(path, "disagree", detail, result.seconds)
    return Comparison(path, "agree", "", result.seconds)
