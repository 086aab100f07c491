"""`--format herd` is herd7's output byte for byte, but for its `Time` and `Hash=` lines
(KNOWN_DIFFERENCES.md, "Herd text"): compared with herd7 itself, run on a fixed sample of
the corpus (every 60th test herd7 answers in under a second, and tests with faults)."""

from __future__ import annotations

import subprocess

import pytest

from pylitmus.checker import Options, check_test
from pylitmus.frontend import parse_file
from pylitmus.report.herd import herd_block
from tests.conformance.corpus import CORPUS, SHARED, load_expected, options_for

HERD7 = SHARED / "tools" / "herd7"
pytestmark = pytest.mark.skipif(not HERD7.exists() or not CORPUS.exists(),
                                reason=f"herd7 or the corpus is absent ({SHARED})")


EXPECTED = load_expected() if CORPUS.exists() else {}


def sample() -> list[str]:
    expected = EXPECTED
    quick = sorted(path for path, entry in expected.items()
                   if "states" in entry and entry.get("herd_seconds", 9) < 1)
    faults = [path for path in quick if any("Fault" in s for s in expected[path]["states"])]
    return sorted(set(quick[::60]) | set(faults[::40]))


def lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith(("Time ", "Hash="))]


@pytest.mark.parametrize("path", sample())
def test_herd_text_is_herds(path: str) -> None:
    entry = EXPECTED[path]
    opts = options_for(entry)
    herd = subprocess.run([str(HERD7), *entry.get("herd_options", []), str(CORPUS / path)],
                          capture_output=True, text=True, timeout=60).stdout
    result = check_test(parse_file(CORPUS / path), Options(opts["variant"], opts["unroll"]))
    assert lines(herd_block(result, opts["hexa"])) == lines(herd)
