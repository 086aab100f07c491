"""Malformed or unsupported models given with --model: one `file:line:col: message` line
and exit status 2, never a traceback. `models/` holds the models, `models.txt` what each
must produce; a missing model file and an error inside an included file are checked too."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from pylitmus.cli import main

HERE = Path(__file__).parent
MP = str(HERE.parents[1] / "examples" / "MP.litmus")


def rows() -> list:
    out = []
    for line in (HERE / "models.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, where, fragment = line.split(maxsplit=2)
            out.append(pytest.param(name, where, fragment, id=name))
    return out


def check_model(model: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["check", "--format", "herd", "--model", model, MP])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("name, where, fragment", rows())
def test_a_bad_model_is_one_line(name: str, where: str, fragment: str) -> None:
    model = str(HERE / "models" / f"{name}.cat")
    status, stdout, stderr = check_model(model)
    assert status == 2 and stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    prefix = model if where == "-" else f"{model}:{where}:"
    assert lines[0].startswith(prefix), lines[0]
    assert fragment in lines[0]


def test_a_missing_model_is_one_line(tmp_path: Path) -> None:
    status, _, stderr = check_model(str(tmp_path / "none.cat"))
    assert status == 2 and len(stderr.strip().splitlines()) == 1
    assert "cannot read the model" in stderr


def test_an_error_in_an_included_model_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "inner.cat").write_text("inner\nlet x = R &\n")
    (tmp_path / "outer.cat").write_text('outer\ninclude "inner.cat"\n')
    status, _, stderr = check_model(str(tmp_path / "outer.cat"))
    assert status == 2 and stderr.startswith(f"{tmp_path / 'inner.cat'}:")
