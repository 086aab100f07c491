"""Turning command-line paths into the list of tests to check.

A path is a `.litmus` file, a directory (every `.litmus` file below it, sorted), a herd
index file (its name starts with `@`: one path per line, relative to the index file's
folder, `#` comments), or `-` for standard input.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple


class Job(NamedTuple):
    """One test to check: a file, or text already read (standard input).

    `problem` is set when the input is known to be bad before any parsing (an index file
    that cannot be read, say); such a job is reported as an error without being run."""

    file: str
    text: str | None = None
    problem: str | None = None


def collect_jobs(paths: tuple[str, ...]) -> list[Job]:
    """Every test named by `paths`, in order."""
    jobs: list[Job] = []
    for path in paths:
        if path == "-":
            jobs.append(Job("<stdin>", text=sys.stdin.read()))
        else:
            jobs.extend(_expand(Path(path), included=()))
    return jobs


def part(jobs: list[Job], index: int, count: int) -> list[Job]:
    """Part `index` (1 to `count`) of `jobs` cut into `count` consecutive parts whose
    sizes differ by one at most: parts 1 to `count`, one after the other, are `jobs`."""
    return jobs[(index - 1) * len(jobs) // count:index * len(jobs) // count]


def _expand(path: Path, included: tuple[Path, ...]) -> list[Job]:
    if path.is_dir():
        found = [Job(str(p)) for p in sorted(path.rglob("*.litmus")) if p.is_file()]
        return found or [Job(str(path), problem="no .litmus file in this directory")]
    if path.name.startswith("@"):
        return _expand_index(path, included)
    return [Job(str(path))]


def _expand_index(index: Path, included: tuple[Path, ...]) -> list[Job]:
    """The tests an index file names, following nested index files."""
    if index.resolve() in included:
        return [Job(str(index), problem="index file includes itself")]
    try:
        lines = index.read_text().splitlines()
    except (OSError, UnicodeDecodeError) as error:
        return [Job(str(index), problem=f"cannot read the index file: {_reason(error)}")]
    jobs: list[Job] = []
    for line in lines:
        entry = line.split("#", 1)[0].strip()
        if entry:
            jobs.extend(_expand(index.parent / entry, included + (index.resolve(),)))
    return jobs


def _reason(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error)
