"""The C engine against the Python reference engine.

Differential: both engines must give the same states, counts, verdicts and flags
on every in-scope corpus test herd7 accepts (../shared/corpus): the core suites,
the instruction-fetch ones (which exercise `choose`), the virtual-memory ones and the
mixed-size ones (those whose candidates the Python engine can enumerate in seconds: with
rf and co per byte, a few have millions). The whole run takes about two minutes (the
Python engine); PYLITMUS_DIFF_STEP=5 takes every 5th test.

Unit: the C op evaluator against evaluate.py on random relations.
"""

from __future__ import annotations

import os
import random

import pytest

from pylitmus.model import evaluate as V
from pylitmus.model import program as P
from tests.conformance.corpus import (
    CORE_SUITES,
    CORPUS,
    IFETCH_SUITES,
    MEMTAG_SUITES,
    MIXED_SUITES,
    VMSA_SUITES,
    in_scope,
    load_expected,
    options_for,
)

native = pytest.importorskip("pylitmus.explorer.native",
                             reason="the C core is not built (pip install -e .)")

STEP = int(os.environ.get("PYLITMUS_DIFF_STEP", "1"))
# The most candidates (rf and co choices, over all frames) of a mixed-size test the Python
# engine is given.
MIXED_CANDIDATES = 5000


def corpus_cases() -> list:
    if not (CORPUS / "expected.json").exists():
        return [pytest.param(None, marks=pytest.mark.skip(
            reason=f"the shared corpus is absent ({CORPUS})"))]
    cases = []
    for suites in (CORE_SUITES, IFETCH_SUITES, MIXED_SUITES):
        paths = sorted(path for path, entry in load_expected().items()
                       if path.split("/")[0] in suites and in_scope(entry)
                       and "error" not in entry)
        cases += paths[::STEP]
    # Virtual memory and memory tagging: the tests pylitmus answers (it refuses the others
    # alike).
    cases += sorted(path for path, entry in load_expected().items()
                    if path.split("/")[0] in VMSA_SUITES + MEMTAG_SUITES
                    and "error" not in entry)[::STEP]
    return cases


def candidates(path: str) -> int:
    """How many candidate executions the Python engine enumerates for a test."""
    from math import factorial, prod

    from pylitmus.checker import Options, model_for, prepare_test
    from pylitmus.explorer.combine import combinations
    from pylitmus.explorer.frame import FrameBuilder
    from pylitmus.frontend import parse_file

    opts = options_for(load_expected()[path])
    options = Options(opts["variant"], opts["unroll"], "python")
    prepared = prepare_test(parse_file(CORPUS / path), options)
    builder = FrameBuilder(prepared, model_for(options, prepared.variant))
    total = 0
    for runs in combinations(prepared):
        frame = builder.frame(runs)
        total += prod(len(c) for c in frame.rf_choices) * \
            prod(factorial(len(w) - 1) for w in frame.writes_by_loc.values())
    return total


def outcome(path: str, engine: str):
    from pylitmus.checker import Options, check_test
    from pylitmus.frontend import parse_file

    opts = options_for(load_expected()[path])
    try:
        result = check_test(parse_file(CORPUS / path),
                            Options(opts["variant"], opts["unroll"], engine))
    except Exception as exc:  # the engines must fail alike too
        return ("error", type(exc).__name__, str(exc))
    return ([(s.values, s.executions, s.satisfies) for s in result.states],
            result.positive, result.negative, result.ok, result.observation, result.flags)


@pytest.mark.parametrize("path", corpus_cases())
def test_engines_agree(path):
    if path.split("/")[0] in MIXED_SUITES and candidates(path) > MIXED_CANDIDATES:
        pytest.skip(f"more than {MIXED_CANDIDATES} candidates for the Python engine")
    assert outcome(path, "c") == outcome(path, "python")


# A ticket lock of ../shared/bench/TICKET3.litmus's shape (three threads; the middle one
# spins on the owner, the others give up when it is not their turn), smaller: the Python
# engine takes minutes on TICKET3 itself, a few seconds on this one with --unroll 1.
TICKET3_SHAPE = """AArch64 TICKET3-shape
{
 0:X1=next; 0:X2=owner; 0:X3=data;
 1:X1=next; 1:X2=owner; 1:X3=data;
 2:X1=next; 2:X2=owner; 2:X3=data;
}
 P0                 | P1                 | P2                 ;
 MOV W4,#1          | MOV W4,#1          | MOV W4,#1          ;
 LDADDA W4,W5,[X1]  | LDADDA W4,W5,[X1]  | LDADDA W4,W5,[X1]  ;
 LDAR W6,[X2]       | Lspin1:            | LDAR W6,[X2]       ;
 CMP W6,W5          | LDAR W6,[X2]       | CMP W6,W5          ;
 B.NE Lout0         | CMP W6,W5          | B.NE Lout2         ;
 STR W4,[X3]        | B.NE Lspin1        | STR W4,[X3]        ;
 ADD W6,W6,#1       | STR W4,[X3]        | ADD W6,W6,#1       ;
 STLR W6,[X2]       | ADD W6,W6,#1       | STLR W6,[X2]       ;
 Lout0:             | STLR W6,[X2]       | Lout2:             ;
exists (next=3 /\\ owner=3 /\\ ~(data=1))
"""


def ticket3_shape_outcome(engine: str):
    """TICKET3_SHAPE under --unroll 1 with one engine: what both must agree on."""
    from pylitmus.checker import Options, check_test
    from pylitmus.frontend.parser import parse_text

    result = check_test(parse_text(TICKET3_SHAPE, "TICKET3-shape.litmus"),
                        Options(unroll=1, engine=engine))
    return ([(s.values, s.executions, s.satisfies) for s in result.states],
            result.positive, result.negative, result.flags, result.loop)


def test_engines_agree_on_a_three_thread_ticket_lock():
    c = ticket3_shape_outcome("c")
    assert c == ticket3_shape_outcome("python")
    assert (c[1], c[2], c[4]) == (0, 28, True)  # Never 0 28, Loop


# ---- the op evaluator ----------------------------------------------------------------

def random_set(rng: random.Random, n: int, density: float) -> int:
    return sum(1 << i for i in range(n) if rng.random() < density)


def random_program(rng: random.Random, n_inputs: int, n_ops: int) -> P.Stage:
    """A stage of random ops over random inputs named s0.. (sets) and r0.. (relations)."""
    stage = P.Stage("test")
    sets, rels = [], []

    def emit(code, kind, a=-1, b=-1, name=""):
        dest = stage.new_slot(kind, False)
        stage.ops.append(P.Op(code, dest, a, b, name))
        (sets if kind == P.SET else rels).append(dest)
        return dest

    for i in range(n_inputs):
        emit(P.INPUT, P.SET, name=f"s{i}")
        emit(P.INPUT, P.REL, name=f"r{i}")
    emit(P.EMPTY, P.REL)
    for _ in range(n_ops):
        code = rng.choice([c for c in range(P.UNION, P.COPY + 1)])
        if code in (P.UNION, P.INTER, P.DIFF):
            pool = rng.choice([sets, rels])
            emit(code, stage.kinds[pool[0]], rng.choice(pool), rng.choice(pool))
        elif code == P.SEQ:
            emit(code, P.REL, rng.choice(rels), rng.choice(rels))
        elif code in (P.INVERSE, P.PLUS, P.OPT):
            emit(code, P.REL, rng.choice(rels))
        elif code == P.IDENTITY:
            emit(code, P.REL, rng.choice(sets))
        elif code == P.CROSS:
            emit(code, P.REL, rng.choice(sets), rng.choice(sets))
        elif code == P.COMPLEMENT:
            pool = rng.choice([sets, rels])
            emit(code, stage.kinds[pool[0]], rng.choice(pool))
        elif code in (P.DOMAIN, P.RANGE):
            emit(code, P.SET, rng.choice(rels))
        else:
            a = rng.choice(sets + rels)
            emit(code, stage.kinds[a], a)
    return stage


@pytest.mark.parametrize("n", [1, 5, 13, 63, 64, 65, 130, 256])
def test_ops_match_the_python_evaluator(n):
    rng = random.Random(n)
    for _ in range(4):
        stage = random_program(rng, 3, 60)
        density = rng.choice([0.02, 0.1, 0.3])
        inputs = {}
        for i in range(3):
            inputs[f"s{i}"] = random_set(rng, n, 0.5)
            inputs[f"r{i}"] = [random_set(rng, n, density) for _ in range(n)]
        want = V.evaluate_stage(stage, inputs, n)
        got = native.evaluate(stage, stage.ops, inputs, n)
        for slot, op in enumerate(stage.ops):
            assert got[slot] == want[slot], (n, P.OP_NAMES[op.code])


def test_checks_match_the_python_evaluator():
    """Acyclicity and the other checks, through explore on a frame-like input."""
    rng = random.Random(7)
    for n in (3, 10, 70):
        for _ in range(30):
            rel = [random_set(rng, n, 2.0 / n) for _ in range(n)]
            stage = P.Stage("test")
            stage.new_slot(P.REL, False)
            stage.ops.append(P.Op(P.INPUT, 0, name="r"))
            for kind in ("acyclic", "irreflexive", "empty", "nonempty"):
                stage.flags.append(P.Check(kind, 0, kind, True))
            prog = native.compile_stage(stage, stage.ops)
            ctx = native._core.Context(prog.core, n, [rel])
            [((), mask)] = ctx.explore([], [], [], [])
            got = {name for i, name in enumerate(prog.flag_names) if mask >> i & 1}
            want = {f.name for f in stage.flags if V.holds(f.kind, rel, n)}
            assert got == want
