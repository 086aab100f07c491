"""`--model FILE.cat`: herd's cat models, checked against herd7's verdicts.

The generic models of herd's library (`sc.cat`, `uniproc.cat`) are read from
../shared/models at test time, with herd7's verdicts under them; those tests are
skipped, with the reason shown, when ../shared is not beside the repository.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

import pylitmus
from pylitmus.cli import main
from pylitmus.model.cat import CatError, compile_cat
from tests.conformance.corpus import SHARED, compare

LIBDIR = SHARED / "models" / "herd-libdir"
needs_libdir = pytest.mark.skipif(not LIBDIR.exists(), reason=f"herd's models are not at {LIBDIR}")


@needs_libdir
@pytest.mark.parametrize("name", ["sc", "uniproc"])
def test_generic_models_agree_with_herd7(name: str) -> None:
    """Every in-scope test of expected-NAME.json: herd7's states, counts and flags."""
    expected = json.loads((SHARED / "models" / f"expected-{name}.json").read_text())
    model = str(LIBDIR / f"{name}.cat")
    failures = [(path, c.status, c.detail) for path, entry in expected.items()
                for c in [compare(path, entry, model=model, libdir=str(LIBDIR))]
                if c.status != "agree"]
    assert not failures, f"{len(failures)} of {len(expected)} differ: {failures[:5]}"


@needs_libdir
def test_python_engine_agrees_under_a_cat_model() -> None:
    expected = json.loads((SHARED / "models" / "expected-sc.json").read_text())
    model = str(LIBDIR / "sc.cat")
    paths = [p for p in expected if "CAS" in p or "SWP" in p][:40]
    for path in paths:
        c = compare(path, expected[path], "python", model=model, libdir=str(LIBDIR))
        assert c.status == "agree", (path, c.detail)


@needs_libdir
def test_python_engine_agrees_under_herds_arm_model() -> None:
    """The `with DC-after from ...` enumerations included (instruction fetch)."""
    from tests.conformance.corpus import load_expected

    entries = {p: e for p, e in load_expected().items()
               if p.startswith("catalogue-ifetch/") and not e.get("features")}
    model = str(LIBDIR / "aarch64.cat")
    for path in sorted(entries)[::10]:
        c = compare(path, entries[path], "python", model=model, libdir=str(LIBDIR))
        assert c.status == "agree", (path, c.detail)


# A TSO-like model for AArch64 events: program order is kept except from a write to a
# later read; a barrier between two accesses keeps them in order.
TSO = """\
"TSO, for AArch64 events"
include "cos.cat"
let com = rf | co | fr
acyclic po-loc | com as uniproc
let ppo = ([M]; po; [M]) \\ (W * R)
let fence = [M]; fencerel(F); [M]
acyclic ppo | fence | rfe | co | fr as tso
empty rmw & (fre; coe) as atomic
"""

TESTS = {
    "MP": ("P0 | P1 ;\n STR W0,[X1] | LDR W0,[X1] ;\n STR W0,[X3] | LDR W2,[X3] ;",
           "0:X0=1; 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x;", "1:X0=1 /\\ 1:X2=0"),
    "SB": ("P0 | P1 ;\n STR W0,[X1] | STR W0,[X1] ;\n LDR W2,[X3] | LDR W2,[X3] ;",
           "0:X0=1; 0:X1=x; 0:X3=y; 1:X0=1; 1:X1=y; 1:X3=x;", "0:X2=0 /\\ 1:X2=0"),
    "SB+dmbs": ("P0 | P1 ;\n STR W0,[X1] | STR W0,[X1] ;\n DMB SY | DMB SY ;\n"
                " LDR W2,[X3] | LDR W2,[X3] ;",
                "0:X0=1; 0:X1=x; 0:X3=y; 1:X0=1; 1:X1=y; 1:X3=x;", "0:X2=0 /\\ 1:X2=0"),
    "LB": ("P0 | P1 ;\n LDR W0,[X1] | LDR W0,[X1] ;\n STR W2,[X3] | STR W2,[X3] ;",
           "0:X2=1; 0:X1=x; 0:X3=y; 1:X2=1; 1:X1=y; 1:X3=x;", "0:X0=1 /\\ 1:X0=1"),
    "IRIW": ("P0 | P1 | P2 | P3 ;\n STR W0,[X1] | LDR W0,[X1] | STR W0,[X1] | LDR W0,[X1] ;\n"
             " | LDR W2,[X3] | | LDR W2,[X3] ;",
             "0:X0=1; 0:X1=x; 1:X1=x; 1:X3=y; 2:X0=1; 2:X1=y; 3:X1=y; 3:X3=x;",
             "1:X0=1 /\\ 1:X2=0 /\\ 3:X0=1 /\\ 3:X2=0"),
}
# What TSO says of each, the textbook answers, with herd7's counts of executions under
# this model (herd7 -set-libdir ../shared/models/herd-libdir -cat tso.cat).
TSO_ANSWERS = {"MP": ("Never", 0, 3), "SB": ("Sometimes", 1, 3), "SB+dmbs": ("Never", 0, 3),
               "LB": ("Never", 0, 3), "IRIW": ("Never", 0, 15)}


def litmus(name: str) -> str:
    code, init, condition = TESTS[name]
    return f"AArch64 {name}\n{{\n{init}\n}}\n{code}\nexists ({condition})\n"


@needs_libdir
@pytest.mark.parametrize("engine", ["c", "python"])
@pytest.mark.parametrize("name", sorted(TESTS))
def test_a_tso_model_gives_the_textbook_answers(tmp_path: Path, name: str, engine: str) -> None:
    model = tmp_path / "tso.cat"
    model.write_text(TSO)
    result = pylitmus.check(litmus(name), model=model, libdir=LIBDIR, engine=engine)
    assert (result.observation, result.positive, result.negative) == TSO_ANSWERS[name]
    builtin = pylitmus.check(litmus(name), engine=engine)
    # The Arm model allows what TSO allows, and more (MP, LB, IRIW without barriers).
    assert builtin.positive >= result.positive


def check_cli(*arguments: str):
    result = CliRunner().invoke(main, ["check", "--format", "herd", *arguments])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


MP_FILE = str(Path(__file__).resolve().parents[2] / "examples" / "MP.litmus")

def test_errors_name_the_included_file(tmp_path: Path) -> None:
    (tmp_path / "inner.cat").write_text("inner\nlet x = R &\n")
    (tmp_path / "outer.cat").write_text('outer\ninclude "inner.cat"\n')
    with pytest.raises(CatError) as caught:
        compile_cat(str(tmp_path / "outer.cat"))
    assert caught.value.file.endswith("inner.cat") and caught.value.line == 2


@needs_libdir
def test_explain_names_the_cat_models_check() -> None:
    status, stdout, _ = check_cli("--explain", "--model", str(LIBDIR / "sc.cat"),
                                  "--libdir", str(LIBDIR), MP_FILE)
    assert status == 0
    assert "Rejected by the model's check sc (acyclic)." in stdout


ARM_SUITES = ("catalogue-aarch64", "catalogue-cas", "catalogue-pick", "catalogue-ifetch")


@needs_libdir
@pytest.mark.parametrize("suite", ARM_SUITES)
def test_herds_arm_model_agrees_with_herd7(suite: str) -> None:
    """herd's own aarch64.cat under --model: herd7's verdicts of expected.json."""
    from tests.conformance.corpus import load_expected

    entries = {p: e for p, e in load_expected().items()
               if p.split("/")[0] == suite and not e.get("features") and "error" not in e}
    model = str(LIBDIR / "aarch64.cat")
    failures = [(path, c.status, c.detail) for path, entry in entries.items()
                for c in [compare(path, entry, model=model, libdir=str(LIBDIR))]
                if c.status != "agree"]
    assert entries and not failures, failures[:5]


# Models that exercise where values are computed: dependencies through register events
# (catdep), intra-instruction edges without catdep, barriers between memory accesses.
DEPS = """\
"Dependencies and barriers only"
catdep
include "cos.cat"
let po-reg = po & loc & ((Rreg | Wreg) * (Rreg | Wreg))
let lrrs = [Wreg]; (po-reg \\ (po-reg; [Wreg]; po-reg)); [Rreg]
let dep = [R]; (lrrs | iico_data | iico_ctrl)+; [M]
let ctrl = [R]; (lrrs | iico_data)+; [BCC]; po; [W]
acyclic po-loc | rf | co | fr as uniproc
acyclic dep | ctrl | rfe | co | fr | [M]; fencerel(F); [M] | ([M]; po; [M]) & (A * _) as thin
flag ~empty rmw & (fre; coe) as atomicity-broken
"""
IICO = """\
"Intra-instruction edges, without catdep"
include "cos.cat"
let intra = [M]; (iico_data | iico_ctrl | iico_order)+; [M]
acyclic po-loc | rf | co | fr | intra as uniproc
let ctrlish = [R]; iico_data+; [B]; po; [W]
let NM = ~M
acyclic (([M]; po; [M]) \\ (W * R)) | rfe | co | fr | ctrlish | [M]; (po & (_ * NM)); po; [M] as x
flag ~empty ([R]; po; [R]) & loc as rr
"""
HERD7 = SHARED / "tools" / "herd7"


@pytest.mark.skipif(not HERD7.exists() or not LIBDIR.exists(),
                    reason=f"herd7 is not at {HERD7}")
@pytest.mark.parametrize("name,text", [("tso", TSO), ("deps", DEPS), ("iico", IICO)])
def test_models_written_here_agree_with_herd7(tmp_path: Path, name: str, text: str) -> None:
    """herd7 itself, run now on the same model: counts and flags."""
    model = tmp_path / f"{name}.cat"
    model.write_text(text)
    expected = json.loads((SHARED / "models" / "expected-sc.json").read_text())
    for path in sorted(expected)[::25]:
        test = SHARED / "corpus" / path
        out = subprocess.run([str(HERD7), "-set-libdir", str(LIBDIR), "-cat", str(model),
                              str(test)], capture_output=True, text=True, timeout=120).stdout
        counts = re.search(r"Positive: (\d+) Negative: (\d+)", out)
        want = (int(counts[1]), int(counts[2]), sorted(re.findall(r"^Flag (\S+)", out, re.M)))
        result = pylitmus.check(test, model=model, libdir=LIBDIR)
        assert (result.positive, result.negative, result.flags) == want, path
