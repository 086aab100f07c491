"""The same input gives byte-identical output, time fields aside: across runs and across
`--jobs` values, in herd and JSON formats."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from pylitmus.cli import main

EXAMPLES = Path(__file__).parents[2] / "examples"
BAD = Path(__file__).parent / "files"
TIME = re.compile(r'^Time (\S+) [0-9.]+$|"(seconds|time)": [0-9.e+-]+', re.MULTILINE)


def output(output_format: str, jobs: int) -> tuple[str, str]:
    paths = [str(p) for p in sorted(EXAMPLES.glob("*.litmus"))]
    paths += [str(BAD / "cond-dangling-and.litmus"), str(BAD / "label-twice.litmus")]
    result = CliRunner().invoke(main, ["check", "--format", output_format, "--jobs",
                                       str(jobs), *paths])
    assert result.exit_code == 2  # the two bad files
    return TIME.sub(lambda m: m.group(0).split()[0] + " T", result.stdout), result.stderr


@pytest.mark.parametrize("output_format", ["herd", "json"])
def test_output_is_the_same_across_runs_and_jobs(output_format):
    first = output(output_format, 1)
    assert output(output_format, 1) == first
    assert output(output_format, 2) == first
    assert "T" in first[0]
