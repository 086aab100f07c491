"""Checking batches: failures as values, order kept with workers, timeouts."""

from __future__ import annotations

import os
from pathlib import Path

from pylitmus.checker import Options
from pylitmus.report import runner
from pylitmus.report.inputs import Job
from pylitmus.report.runner import Tally, check_job, run_jobs

EXAMPLES = Path(__file__).parents[2] / "examples"
SMALL = [str(EXAMPLES / f"{name}.litmus") for name in ("MP", "SB", "CoRR", "LB", "SWP")]


def test_syntax_error_is_a_failure(tmp_path: Path) -> None:
    bad = tmp_path / "bad.litmus"
    bad.write_text("AArch64 bad\n{ }\n P0 ;\n FROB X0 ;\nexists (0:X0=1)\n")
    outcome = check_job(Job(str(bad)), Options())
    assert outcome.status == "error" and outcome.result is None
    assert outcome.failure.file == str(bad) and outcome.failure.line == 4
    assert outcome.failure.text.startswith(f"{bad}:4:")


def test_unexpected_exception_is_an_internal_error(monkeypatch) -> None:
    def broken(test, options):
        raise KeyError("oops")

    monkeypatch.setattr(runner, "check_test", broken)
    outcome = check_job(Job(SMALL[0]), Options())
    assert outcome.failure.text == f"{SMALL[0]}: internal error: KeyError: 'oops'"


def test_workers_keep_job_order() -> None:
    jobs = [Job(path) for path in SMALL] + [Job("missing.litmus")]
    alone = [(o.file, o.status, o.result and o.result.states) for o in run_jobs(jobs, Options())]
    shared = [(o.file, o.status, o.result and o.result.states)
              for o in run_jobs(jobs, Options(), workers=2)]
    assert shared == alone
    assert [status for _, status, _ in alone] == ["ok"] * 5 + ["error"]


def test_a_worker_that_dies_fails_its_chunk_and_the_next_chunks_run(monkeypatch) -> None:
    # A worker holds the chunk it checks and the next: when it dies on one job, that
    # job's chunk fails and the chunk it had not started goes to a new worker.
    checked = runner.check_job

    def dying(job, options):
        if job.file == "dies.litmus":
            os._exit(3)
        return checked(job, options)

    monkeypatch.setattr(runner, "check_job", dying)
    jobs = [Job(path) for path in SMALL * 20] + [Job("dies.litmus")] + \
        [Job(path) for path in SMALL * 20]
    outcomes = list(run_jobs(jobs, Options(), workers=2))
    assert [o.file for o in outcomes] == [job.file for job in jobs]
    died = [o for o in outcomes if o.status == "error"]
    assert "dies.litmus" in {o.file for o in died}
    assert all(o.failure.message == "internal error: the worker process ended with status 3"
               for o in died)
    # only the jobs of the chunk it died in fail; every other job, those of the chunk it
    # held next included, has its verdict
    assert len(died) <= runner.MAX_CHUNK
    assert all(o.status == "ok" for o in outcomes if o.file != "dies.litmus" and o not in died)
    assert sum(o.status == "ok" for o in outcomes) >= len(jobs) - runner.MAX_CHUNK


def test_a_test_over_time_is_reported_and_the_batch_goes_on() -> None:
    outcomes = list(run_jobs([Job(SMALL[0]), Job(SMALL[1])], Options(), timeout=1e-4))
    assert [o.status for o in outcomes] == ["timeout", "timeout"]
    assert outcomes[0].failure.text == (
        f"{SMALL[0]}: timed out: over the limit --timeout=0.0001 (raise it with --timeout N)")
    relaxed = list(run_jobs([Job(SMALL[0])], Options(), timeout=60))
    assert relaxed[0].status == "ok"


def test_exit_status_from_the_tally() -> None:
    tally = Tally()
    for outcome in run_jobs([Job(SMALL[0])], Options()):
        tally.add(outcome)
    assert (tally.tests, tally.sometimes, tally.exit_status) == (1, 1, 0)
    tally.mismatches = 1
    assert tally.exit_status == 1
    tally.errors = 1
    assert tally.exit_status == 2
