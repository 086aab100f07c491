"""Conformance with herd7: every in-scope corpus test, compared with expected.json.

Skipped, with the reason shown, when ../shared/corpus is not beside the repository.
Every disagreement must be listed, with its reason, in KNOWN_DIFFERENCES.md.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import pytest

from .corpus import (
    ALL_SUITES,
    CORE_SUITES,
    CORPUS,
    IFETCH_SUITES,
    MIXED_SUITES,
    compare,
    in_scope,
    load_expected,
)

pytestmark = pytest.mark.skipif(not CORPUS.exists(),
                                reason=f"the conformance corpus is not at {CORPUS}")
KNOWN = Path(__file__).with_name("KNOWN_DIFFERENCES.md")
# The share of verdicts (entries herd7 answers) that must match herd7's exactly.
GROUPS = {
    "core": (CORE_SUITES, 0.99),
    "catalogue-aarch64": (("catalogue-aarch64",), 1.0),
    "ifetch": (IFETCH_SUITES, 0.99),
    "mixed": (("herd-mixed", "catalogue-mixed"), 1.0),
    "diycross-mixed": (("diycross-mixed",), 0.99),
}


@lru_cache(maxsize=None)
def _all_results(suite: str):
    return [(entry, compare(path, entry)) for path, entry in load_expected().items()
            if path.split("/")[0] == suite]


def _results(suite: str):
    """The entries in pylitmus's scope: no feature it lacks."""
    return [(entry, c) for entry, c in _all_results(suite) if in_scope(entry)]


def _listed(path: str) -> bool:
    return KNOWN.exists() and f"`{path}`" in KNOWN.read_text()


@pytest.mark.parametrize("group", GROUPS)
def test_verdicts_agree_with_herd7(group):
    suites, goal = GROUPS[group]
    results = [r for suite in suites for r in _results(suite)]
    verdicts = [c for entry, c in results if "error" not in entry]
    agree = sum(c.status == "agree" for c in verdicts)
    unlisted = [f"{c.path}: {c.status} {c.detail[:200]}" for _, c in results
                if c.status != "agree" and not _listed(c.path)]
    assert not unlisted, "not in KNOWN_DIFFERENCES.md:\n" + "\n".join(unlisted)
    assert agree >= goal * len(verdicts), f"{group}: {agree}/{len(verdicts)} agree"


@pytest.mark.parametrize("suite", CORE_SUITES + IFETCH_SUITES + MIXED_SUITES)
def test_refused_tests_are_refused(suite):
    """herd7's `error` entries: pylitmus refuses them too, or the difference is listed."""
    for entry, c in _results(suite):
        if "error" in entry:
            assert c.status == "agree" or _listed(c.path), c.path


def test_the_suites_cover_the_whole_corpus():
    assert {path.split("/")[0] for path in load_expected()} == set(ALL_SUITES)


@pytest.mark.parametrize("suite", ALL_SUITES)
def test_every_entry_gets_herd7s_verdict_or_a_refusal(suite):
    """The whole corpus, tests of features pylitmus lacks included: an entry gets herd7's
    verdict exactly, or is refused with one line (a LitmusError); never another verdict,
    never a crash. A test herd7 answers but that needs a feature pylitmus lacks is refused
    by naming the feature ("... is not supported yet"), not as malformed."""
    wrong = [f"{c.path}: {c.status} {c.detail[:200]}" for entry, c in _all_results(suite)
             if c.status in ("disagree", "crash")
             or (c.status == "error" and entry.get("features")
                 and "not supported yet" not in c.detail)]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("suite", ALL_SUITES)
def test_every_test_herd7_answers_gets_its_verdict_or_is_listed(suite):
    """The whole corpus, the tests of virtual memory, faults and tagging included: a test
    herd7 answers and pylitmus refuses is a known difference, listed with its reason (a
    change that makes pylitmus refuse more fails here)."""
    unlisted = [f"{c.path}: {c.status} {c.detail[:200]}" for entry, c in _all_results(suite)
                if "error" not in entry and c.status != "agree" and not _listed(c.path)]
    assert not unlisted, "not in KNOWN_DIFFERENCES.md:\n" + "\n".join(unlisted)


def test_expect_over_the_catalogue_names_only_the_tests_whose_intent_differs():
    """`--expect kinds.txt`: the tests marked are exactly those where herd7's own verdict
    (expected.json) contradicts the architectural intent, and nothing else."""
    from click.testing import CliRunner

    from pylitmus.cli import main

    folder = CORPUS / "catalogue-aarch64"
    kinds = dict(line.split() for line in (folder / "kinds.txt").read_text().splitlines()
                 if line.strip())

    def herd_kind(entry) -> str:
        if entry["condition"].startswith("forall"):
            return "Required" if entry["observation"] == "Always" else \
                "Allowed" if entry["observation"] == "Sometimes" else "Forbidden"
        return "Forbidden" if entry["observation"] == "Never" else "Allowed"

    expected = {e["test"] for p, e in load_expected().items()
                if p.startswith("catalogue-aarch64/") and "error" not in e
                and e["test"] in kinds and herd_kind(e) != kinds[e["test"]]}
    result = CliRunner().invoke(
        main, ["check", "--format", "json", "--expect", str(folder / "kinds.txt"), str(folder)])
    marked = {record["test"] for record in map(json.loads, result.stdout.splitlines())
              if record.get("expectation") and not record["expectation"]["matches"]}
    assert marked == expected
    assert result.exit_code == 2  # the catalogue holds one malformed file, which wins
