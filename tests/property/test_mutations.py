"""Mutated corpus files never make pylitmus crash: a verdict or one clean error; and
whatever pylitmus answers, it reads as herd7 does.

Byte-level mutations (bytes replaced, inserted, deleted) and token-level ones (words swapped,
duplicated, dropped) of in-scope tests of ../shared/corpus, checked under small limits. A
fixed sample of token mutations is also given to herd7 (../shared/tools/herd7) when it is
there: each one pylitmus answers, herd7 must answer the same (herd7 may refuse more).
"""

from __future__ import annotations

import random
import re
import subprocess
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pylitmus.checker import Options
from pylitmus.frontend.source import Source
from pylitmus.limits import Limits
from pylitmus.report.herdtext import state_text
from pylitmus.report.inputs import Job
from pylitmus.report.runner import check_job
from tests.conformance.corpus import (
    CORE_SUITES,
    CORPUS,
    FEATURE_SUITES,
    IFETCH_SUITES,
    MIXED_SUITES,
    SHARED,
    load_expected,
    options_for,
)
from tests.property import examples

LIMITS = Limits(max_executions=20_000, max_steps=1_000)
OPTIONS = Options(limits=LIMITS)
HERD7 = SHARED / "tools" / "herd7"
HERD_SAMPLE = 120  # mutants drawn; pylitmus answers about one in six
TOKEN = re.compile(r"\s+|[A-Za-z0-9_.#%]+|.", re.DOTALL)


def corpus_files(suites: tuple[str, ...], step: int, plain: bool = True) -> list:
    """Every `step`-th test of the suites: those with no feature (`plain`), or those herd7
    checks in under a second."""
    if not (CORPUS / "expected.json").exists():
        return []
    return sorted(str(CORPUS / path) for path, entry in load_expected().items()
                  if path.split("/")[0] in suites
                  and (not entry.get("features") if plain else entry.get("herd_seconds", 0) < 1)
                  )[::step]


FILES = corpus_files(CORE_SUITES + IFETCH_SUITES, 7)
# The mutants given to herd7: of these, and of the mixed-size and feature suites.
HERD_FILES = {"core": FILES, "mixed": corpus_files(MIXED_SUITES, 3, plain=False),
              "features": corpus_files(FEATURE_SUITES, 5, plain=False)}
pytestmark = pytest.mark.skipif(not FILES, reason=f"the shared corpus is absent ({CORPUS})")


def assert_clean(outcome) -> None:
    if outcome.failure is not None:
        assert not outcome.failure.message.startswith("internal error"), outcome.failure.text
        assert "Traceback" not in outcome.failure.text


@st.composite
def byte_mutations(draw):
    path = draw(st.sampled_from(FILES or ["-"]))
    data = bytearray(open(path, "rb").read())
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(("replace", "insert", "delete")))
        byte = draw(st.integers(0, 255))
        if kind == "insert" or at == len(data):
            data.insert(at, byte)
        elif kind == "replace":
            data[at] = byte
        else:
            del data[at:at + draw(st.integers(1, 8))]
    return bytes(data)


@st.composite
def token_mutations(draw):
    path = draw(st.sampled_from(FILES or ["-"]))
    tokens = TOKEN.findall(open(path, encoding="utf-8").read())
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(tokens) - 1))
        j = draw(st.integers(0, len(tokens) - 1))
        kind = draw(st.sampled_from(("swap", "copy", "drop")))
        if kind == "swap":
            tokens[i], tokens[j] = tokens[j], tokens[i]
        elif kind == "copy":
            tokens.insert(i, tokens[j])
        else:
            del tokens[i]
    return "".join(tokens)


@settings(max_examples=examples(150))
@given(byte_mutations())
def test_byte_mutations_never_crash(data):
    with tempfile.NamedTemporaryFile(suffix=".litmus") as handle:
        handle.write(data)
        handle.flush()
        assert_clean(check_job(Job(handle.name), OPTIONS))


@settings(max_examples=examples(150))
@given(token_mutations())
def test_token_mutations_never_crash(text):
    assert_clean(check_job(Job("mutated.litmus", text=text), OPTIONS))


def mutate(tokens: list, rng: random.Random) -> str:
    """One or two token replacements, duplications or deletions."""
    tokens = list(tokens)
    for _ in range(rng.randint(1, 2)):
        i, j = rng.randrange(len(tokens)), rng.randrange(len(tokens))
        kind = rng.choice(("replace", "copy", "drop"))
        if kind == "replace":
            tokens[i] = tokens[j]
        elif kind == "copy":
            tokens.insert(i, tokens[j])
        else:
            del tokens[i]
    return "".join(tokens)


def answered_mutants(count: int, seed: int, files: list = FILES):
    """(mutated text, corpus entry, pylitmus's result) of the mutants pylitmus answers, among
    `count` mutants of the corpus tests herd7 answers, drawn with a fixed seed."""
    expected = load_expected()
    entries = {path: expected[Path(path).relative_to(CORPUS).as_posix()] for path in files}
    answered = [path for path, entry in entries.items() if "error" not in entry]
    rng = random.Random(seed)
    for _ in range(count):
        path = rng.choice(answered)
        entry = entries[path]
        text = mutate(TOKEN.findall(open(path, encoding="utf-8").read()), rng)
        opts = options_for(entry)
        options = Options(variant=opts["variant"], unroll=opts["unroll"], limits=LIMITS)
        outcome = check_job(Job("mutated.litmus", text=text), options)
        if outcome.failure is None:
            yield text, entry, outcome.result


def test_answered_mutants_have_every_row_of_the_table_full():
    """herd7 transposes the rows of the thread table into one column per thread and refuses
    a row with another number of cells (lib/genParser.ml): a test pylitmus answers has as
    many cells in each row as threads in the header."""
    mutants = list(answered_mutants(HERD_SAMPLE, seed=1))
    assert len(mutants) >= 10
    for text, _, _ in mutants:
        code = Source(text, "mutated.litmus").code
        start = code.index("}", code.index("{")) + 1
        end = re.search(r"^\s*(?:exists|~|forall|locations|filter)", code[start:], re.M)
        table = code[start:start + end.start() if end else len(code)]
        rows = table.split(";")[:-1]
        assert len({row.count("|") for row in rows}) == 1, rows


def herd_verdict(text: str, entry: dict, directory) -> dict | None:
    """herd7's answer for a test (the fields the conformance tests compare), None when
    herd7 refuses the test or takes over 10 s."""
    path = directory / "mutated.litmus"
    path.write_text(text)
    opts = options_for(entry)
    command = [str(HERD7), "-unroll", str(opts["unroll"]), str(path)]
    if opts["variant"]:
        command[1:1] = ["-variant", ",".join(sorted(opts["variant"]))]
    try:
        lines = subprocess.run(command, capture_output=True, text=True,
                               timeout=10).stdout.splitlines()
    except subprocess.TimeoutExpired:
        return None
    if not lines or not lines[0].startswith("Test "):
        return None
    count = int(lines[1].split()[1])
    positive, negative = (int(word) for word in lines[4 + count].split()[1::2])
    return {"states": sorted(lines[2:2 + count]),
            "ok": lines[2 + count].split()[-1] == "Ok",
            "positive": positive, "negative": negative,
            "observation": next(line.split()[2] for line in lines
                                if line.startswith("Observation ")),
            "flags": sorted(line.split()[1] for line in lines if line.startswith("Flag "))}


@pytest.mark.skipif(not HERD7.exists(), reason=f"herd7 is absent ({HERD7})")
@pytest.mark.parametrize("group", HERD_FILES)
def test_answered_mutants_get_herds_answer(tmp_path, group):
    """Whatever mutant pylitmus answers, herd7 answers it too, with the same states, Ok/No,
    witnesses, observation and flags (mutants of the feature suites found a page only a
    descriptor named, which herd7 gives no memory)."""
    mutants = list(answered_mutants(HERD_SAMPLE, seed=2, files=HERD_FILES[group]))
    assert len(mutants) >= 10
    for text, entry, result in mutants:
        want = herd_verdict(text, entry, tmp_path)
        assert want is not None, f"herd7 refuses this test, pylitmus answers it:\n{text}"
        got = {"states": sorted(state_text(state.values) for state in result.states),
               "ok": result.ok, "positive": result.positive, "negative": result.negative,
               "observation": result.observation, "flags": sorted(result.flags)}
        assert got == want, text
