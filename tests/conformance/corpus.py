"""Compare pylitmus with herd7's recorded answers in ../shared/corpus/expected.json."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"
CORE_SUITES = ("herd-instructions", "catalogue-aarch64", "catalogue-cas", "catalogue-pick",
               "catalogue-readers-guide", "diycross")
IFETCH_SUITES = ("catalogue-ifetch", "herd-self", "seed")


def load_expected() -> dict:
    return json.loads((CORPUS / "expected.json").read_text())


def options_for(entry: dict) -> dict:
    """pylitmus options equivalent to the herd7 options recorded for an entry."""
    opts = entry.get("herd_options", [])
    out = {"variant": frozenset(), "unroll": 2}
    for i, word in enumerate(opts):
        if word == "-variant":
            out["variant"] = frozenset(opts[i + 1].lower().split(","))
        elif word == "-unroll":
            out["unroll"] = int(opts[i + 1])
    return out


@dataclass
class Comparison:
    path: str
    status: str  # agree | disagree | error | crash
    detail: str = ""
    seconds: float = 0.0


def compare(path: str, entry: dict, engine: str = "auto") -> Comparison:
    from pylitmus.checker import Options, check_test
    from pylitmus.errors import LitmusError
    from pylitmus.frontend import parse_file

    opts = options_for(entry)
    try:
        test = parse_file(CORPUS / path)
        result = check_test(test, Options(opts["variant"], opts["unroll"], engine))
    except LitmusError as exc:
        if "error" in entry:
            return Comparison(path, "agree", f"refused: {exc.message}")
        return Comparison(path, "error", str(exc).splitlines()[0])
    except Exception as exc:  # a bug of ours: counted, never hidden
        return Comparison(path, "crash", f"{type(exc).__name__}: {exc}")
    if "error" in entry:
        return Comparison(path, "disagree", "herd7 refuses this test; pylitmus gave a verdict")
    got = {
        # herd7's record holds its non-empty state lines: a test showing no location
        # prints one empty line.
        "states": sorted(line for line in (" ".join(f"{k}={v};" for k, v in s.values)
                                           for s in result.states) if line),
        "ok": result.ok, "positive": result.positive, "negative": result.negative,
        "observation": result.observation, "flags": sorted(result.flags),
        "loop": result.loop,
    }
    want = {
        "states": sorted(entry.get("states", got["states"])), "ok": entry.get("ok", got["ok"]),
        "positive": entry["positive"], "negative": entry["negative"],
        "observation": entry["observation"], "flags": sorted(entry.get("flags", [])),
        "loop": entry.get("loop", False),  # herd7's `Loop Ok` / `Loop No`
    }
    diffs = [k for k in want if got[k] != want[k]]
    if diffs:
        detail = "; ".join(f"{k}: got {got[k]} want {want[k]}" for k in diffs if k != "states")
        if "states" in diffs:
            detail += f"; states: got {got['states']} want {want['states']}"
        return Comparison(path, "disagree", detail, result.seconds)
    return Comparison(path, "agree", "", result.seconds)
