"""Paths to jobs: files, directories, herd index files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pylitmus.report.inputs import Job, collect_jobs, part
from tests.conformance.corpus import CORPUS


def test_directory_gives_every_litmus_file_below_it_sorted(tmp_path: Path) -> None:
    for name in ("b.litmus", "a.litmus", "sub/c.litmus", "notes.txt"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("")
    assert [Path(job.file).relative_to(tmp_path).as_posix()
            for job in collect_jobs((str(tmp_path),))] == ["a.litmus", "b.litmus", "sub/c.litmus"]


def test_index_files_nest_and_skip_comments(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "@all").write_text("# every test\nA.litmus\n\nsub/@more  # nested\n")
    (tmp_path / "sub" / "@more").write_text("B.litmus\n")
    jobs = collect_jobs((str(tmp_path / "@all"),))
    assert [Path(job.file) for job in jobs] == [tmp_path / "A.litmus",
                                               tmp_path / "sub" / "B.litmus"]


def test_bad_index_files_become_problems(tmp_path: Path) -> None:
    (tmp_path / "@loop").write_text("@loop\n")
    (jobs,) = collect_jobs((str(tmp_path / "@loop"),))
    assert jobs.problem == "index file includes itself"
    (missing,) = collect_jobs((str(tmp_path / "@missing"),))
    assert missing.problem.startswith("cannot read the index file")


def test_empty_directory_is_a_problem(tmp_path: Path) -> None:
    (job,) = collect_jobs((str(tmp_path),))
    assert job.problem == "no .litmus file in this directory"


def test_missing_file_is_left_to_the_parser() -> None:
    assert collect_jobs(("nowhere.litmus",)) == [Job("nowhere.litmus")]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"the shared corpus is absent ({CORPUS})")
def test_corpus_index_file() -> None:
    jobs = collect_jobs((str(CORPUS / "catalogue-ifetch" / "@jit"),))
    assert jobs and all(Path(job.file).is_file() for job in jobs)
    assert all(job.file.endswith(".litmus") for job in jobs)


def test_parts_one_after_the_other_are_all_the_jobs() -> None:
    for total in range(8):
        jobs = [Job(f"{k}.litmus") for k in range(total)]
        for count in range(1, 5):
            parts = [part(jobs, index, count) for index in range(1, count + 1)]
            assert sum(parts, []) == jobs
            assert max(map(len, parts)) - min(map(len, parts)) <= 1


def test_without_the_shared_folder_the_corpus_test_skips_saying_why(tmp_path: Path) -> None:
    env = {**os.environ, "PYLITMUS_SHARED": str(tmp_path / "absent")}
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider",
                           "-k", "not without_the_shared", __file__],
                          env=env, capture_output=True, text=True,
                          cwd=Path(__file__).parents[2])
    assert done.returncode == 0, done.stdout
    assert f"the shared corpus is absent ({tmp_path / 'absent' / 'corpus'})" in done.stdout
    assert "1 skipped" in done.stdout
