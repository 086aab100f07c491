"""Mutated corpus files never make pylitmus crash: a verdict or one clean error.

Byte-level mutations (bytes replaced, inserted, deleted) and token-level ones (words swapped,
duplicated, dropped) of in-scope tests of ../shared/corpus, checked under small limits.
"""

from __future__ import annotations

import re
import tempfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pylitmus.checker import Options
from pylitmus.limits import Limits
from pylitmus.report.inputs import Job
from pylitmus.report.runner import check_job
from tests.property import examples
from tests.conformance.corpus import CORE_SUITES, CORPUS, IFETCH_SUITES, load_expected

OPTIONS = Options(limits=Limits(max_executions=20_000, max_steps=1_000))
TOKEN = re.compile(r"\s+|[A-Za-z0-9_.#%]+|.", re.DOTALL)


def corpus_files() -> list:
    if not (CORPUS / "expected.json").exists():
        return []
    return sorted(str(CORPUS / path) for path, entry in load_expected().items()
                  if path.split("/")[0] in CORE_SUITES + IFETCH_SUITES
                  and not entry.get("features"))[::7]


FILES = corpus_files()
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
