"""Malformed and unsupported inputs: one clear `file:line:col: message` line, exit status 2,
never a traceback.

`files/` holds the tests, `expected.txt` what each must produce. Inputs that cannot be
committed (a huge file, an empty directory, a missing path) are made here; the in-scope
tests herd7 refuses in ../shared/corpus are checked too when the corpus is there.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pylitmus.cli import main
from tests.conformance.corpus import CORE_SUITES, CORPUS, IFETCH_SUITES, load_expected

HERE = Path(__file__).parent
KNOWN_DIFFERENCES = (HERE.parent / "conformance" / "KNOWN_DIFFERENCES.md").read_text()


def expected_rows() -> list:
    rows = []
    for line in (HERE / "expected.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, status, where, fragment = line.split(maxsplit=3)
            rows.append(pytest.param(name, int(status), where, fragment, id=name))
    return rows


def check(*arguments: str):
    """(exit status, stdout, stderr) of `pylitmus check --format herd ...`."""
    result = CliRunner().invoke(main, ["check", "--format", "herd", *arguments])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


def assert_one_error(path: str, stderr: str, stdout: str = "") -> str:
    """The error line of `path`: one line, and no traceback anywhere. Its message."""
    assert "Traceback" not in stderr + stdout
    lines = [line for line in stderr.splitlines() if line.startswith(f"{path}:")]
    assert len(lines) == 1, stderr
    assert "internal error" not in lines[0]
    return lines[0]


def test_the_table_has_every_file():
    names = {row.values[0] for row in expected_rows()}
    assert names == {p.stem for p in (HERE / "files").glob("*.litmus")}
    assert len(names) >= 40


@pytest.mark.parametrize("name,status,where,fragment", expected_rows())
def test_bad_file(name, status, where, fragment):
    path = str(HERE / "files" / f"{name}.litmus")
    code, stdout, stderr = check(path)
    assert code == status
    line = assert_one_error(path, stderr, stdout)
    prefix = path if where == "-" else f"{path}:{where}"
    assert line.startswith(f"{prefix}: ")
    assert fragment in line


def test_a_huge_file(tmp_path):
    path = tmp_path / "huge.litmus"
    rows = " NOP         | NOP         ;\n" * 60_000
    path.write_text("AArch64 huge\n{ }\n P0 | P1 ;\n" + rows + "exists (0:X0=1)\n")
    code, stdout, stderr = check(str(path))
    assert code == 2
    assert "over the 1 MiB pylitmus reads" in assert_one_error(str(path), stderr, stdout)


def test_a_directory_without_tests(tmp_path):
    (tmp_path / "notes.txt").write_text("no litmus test here\n")
    code, stdout, stderr = check(str(tmp_path))
    assert code == 2
    assert "no .litmus file in this directory" in assert_one_error(str(tmp_path), stderr)


def test_a_missing_path(tmp_path):
    path = str(tmp_path / "absent.litmus")
    code, stdout, stderr = check(path)
    assert code == 2
    assert "cannot read the file" in assert_one_error(path, stderr)


def test_bad_files_do_not_stop_a_batch():
    good = str(HERE.parents[1] / "examples" / "SB.litmus")
    code, stdout, stderr = check(str(HERE / "files" / "empty.litmus"), good)
    assert code == 2
    assert "Test SB Allowed" in stdout


def refused_by_herd() -> list:
    """In-scope corpus tests herd7 refuses, but those pylitmus answers (a known difference)."""
    if not (CORPUS / "expected.json").exists():
        return [pytest.param(None, marks=pytest.mark.skip(
            reason=f"the shared corpus is absent ({CORPUS})"))]
    return sorted(path for path, entry in load_expected().items()
                  if "error" in entry and not entry.get("features")
                  and path.split("/")[0] in CORE_SUITES + IFETCH_SUITES
                  and f"`{path}`" not in KNOWN_DIFFERENCES)


@pytest.mark.parametrize("path", refused_by_herd())
def test_corpus_tests_herd_refuses(path):
    file = str(CORPUS / path)
    code, stdout, stderr = check(file)
    assert code == 2
    assert_one_error(file, stderr, stdout)
