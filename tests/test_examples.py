"""Each example in examples/ gives its well-known verdict under the Arm model.

The figures were obtained by running `pylitmus check --format herd` on each file, and
agree with the published answers (MP Sometimes, MP+dmb.sy Never, LB+data Never, ...)."""

from __future__ import annotations

from pathlib import Path

import pytest

import pylitmus

EXAMPLES = Path(__file__).parents[1] / "examples"

# file stem: (observation, positive, negative)
EXPECTED = {
    "MP": ("Sometimes", 1, 3),
    "MP+dmb.sy": ("Never", 0, 3),
    "MP+dmb.st+addr": ("Never", 0, 3),
    "MP+rel+acq": ("Never", 0, 3),
    "SB": ("Sometimes", 1, 3),
    "SB+dmb.sy": ("Never", 0, 3),
    "LB": ("Sometimes", 1, 3),
    "LB+data": ("Never", 0, 3),
    "S": ("Sometimes", 1, 3),
    "R": ("Sometimes", 1, 3),
    "2+2W": ("Sometimes", 1, 3),
    "WRC": ("Sometimes", 1, 7),
    "IRIW": ("Sometimes", 1, 15),
    "IRIW+dmb.sy": ("Never", 0, 15),
    "CoRR": ("Never", 0, 3),
    "LDXR-STXR-increment": ("Never", 0, 7),  # both succeed, yet an increment is lost
    "LDADD": ("Never", 0, 2),
    "SWP": ("Never", 0, 2),
    # virtual memory (Variant=vmsa), checked against herd7 too
    "Remap": ("Sometimes", 1, 3),  # catalogue-bbm/CoRR+PteOA.DB0's shape
    "MP+BBM": ("Never", 0, 5),  # catalogue-vmsa/MP+BBM+DSB-ISB+BIS's shape
}
# The flags herd7 raises on an example (none on the others).
FLAGS = {"Remap": ["Warning-BBM-expected"]}


@pytest.mark.parametrize("stem", sorted(EXPECTED))
def test_example_verdict(stem: str) -> None:
    result = pylitmus.check(EXAMPLES / f"{stem}.litmus")
    assert result.name == stem
    assert (result.observation, result.positive, result.negative) == EXPECTED[stem]
    assert result.flags == FLAGS.get(stem, [])


def test_every_example_has_an_expected_verdict() -> None:
    stems = {path.stem for path in EXAMPLES.glob("*.litmus")} - {"ptdump"}
    assert stems == set(EXPECTED)
