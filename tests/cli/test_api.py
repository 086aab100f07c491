"""The library entry points, `pylitmus.check` and `pylitmus.parse`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import pylitmus
from pylitmus.errors import LitmusError
from tests.cli.conftest import BAD_TEXT, example


def test_check_a_path_or_text() -> None:
    from_path = pylitmus.check(example("SB+dmb.sy"))
    from_text = pylitmus.check(Path(example("SB+dmb.sy")).read_text(), engine="python")
    for result in (from_path, from_text):
        assert (result.name, result.observation, result.positive, result.negative) == (
            "SB+dmb.sy", "Never", 0, 3)
    assert from_text.engine == "python"


def test_check_options() -> None:
    assert pylitmus.check(example("MP"), variant="ifetch").variant == ["ifetch"]
    assert pylitmus.check(example("MP"), variant=["ifetch"], unroll=1).variant == ["ifetch"]


def test_parse_a_path_or_text() -> None:
    test = pylitmus.parse(example("IRIW"))
    assert test.name == "IRIW" and len(test.threads) == 4
    from_text = pylitmus.parse(Path(example("IRIW")).read_text())
    assert (from_text.name, from_text.file) == ("IRIW", "<text>")
    assert len(from_text.threads) == 4


def test_errors_are_litmus_errors() -> None:
    with pytest.raises(LitmusError, match=r"^<text>:5:19: unexpected '\)'"):
        pylitmus.parse(BAD_TEXT)


def test_import_is_cheap() -> None:
    script = "import sys, pylitmus; print(sorted(m for m in sys.modules if 'pylitmus.' in m))"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout == "[]\n"


def test_a_batch_as_a_library_imports_nothing_it_does_not_need() -> None:
    """A batch run from Python (as bench/run.py's) collects garbage as `pylitmus check`
    does without the command line's click, nor the cat compiler, the witness search,
    Rich or JSON."""
    script = ("import sys, pylitmus\nfrom pylitmus.collector import collect_less\n"
              f"collect_less()\npylitmus.check({example('MP')!r})\n"
              "print([m for m in ('click', 'rich', 'json', 'pylitmus.model.cat',"
              " 'pylitmus.witness', 'pylitmus.report.graph') if m in sys.modules])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout == "[]\n", done.stderr


def test_a_batch_leaves_no_cycle_for_long() -> None:
    """After each test the batch runner freezes what is left (the caches); once the
    objects have grown by BLOCKS_BEFORE_FULL_COLLECTION, it looks for cycles among all
    objects, and a cycle a test left is freed then."""
    script = (
        "import gc, weakref\nfrom pylitmus import collector\n"
        "collector.collect_less()\ncollector.TESTS_PER_LOOK = 1\n"
        "collector.BLOCKS_BEFORE_FULL_COLLECTION = 10_000\n"
        "class Node: pass\n"
        "node = Node(); node.me = node; alive = weakref.ref(node); del node\n"
        "collector.test_ended()\nfrozen = alive() is not None\n"
        "kept = [[] for _ in range(20_000)]\n"  # the objects grow
        "collector.test_ended()\n"
        "print(frozen, alive() is None)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout == "True True\n", done.stderr


# A 16-bit read of a 32-bit location written whole (its values made by mixed.read_values),
# and a 64-bit read of a 32-bit location without a mixed-size variant (a run with an error)
HALF_READ = "AArch64 half\n{ 0:X1=x; 1:X1=x; }\n P0 | P1 ;\n MOV W0,#257 | LDRH W2,[X1] ;\n" \
            " STR W0,[X1] | ;\nexists (1:X2=1)\n"
WIDE_READ = "AArch64 wide\n{ 0:X1=x; }\n P0 ;\n LDR X0,[X1] ;\nexists (0:X0=0)\n"


def test_checking_leaves_no_cycle() -> None:
    """What a test leaves is freed by reference counting, without the cycle collector
    (which the batch runner rarely lets look at it): no recursive closure, no error kept
    with its traceback. (The first checks import modules, which may leave some.)"""
    checks = (f"pylitmus.check({HALF_READ!r}, variant='mixed')\n"
              f"try:\n    pylitmus.check({WIDE_READ!r})\nexcept LitmusError:\n    pass\n")
    script = ("import gc, pylitmus\nfrom pylitmus import collector\nfrom pylitmus.errors "
              f"import LitmusError\n{checks}gc.collect()\ncollector.collect_less()\n"
              f"{checks}collector.test_ended()\ngc.unfreeze()\nprint(gc.collect())\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.stdout == "0\n", done.stderr
