"""Checking a batch of tests, in this process or in worker processes.

Outcomes always come back in the order of the jobs, whatever the number of workers, so
the output of a batch does not depend on `--jobs`. Worker processes (forked once, each
checking chunk after chunk of tests) are used for `--jobs` above 1 and for `--timeout`:
a test over its time is killed with its worker and reported as timed out, and the batch
goes on.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from typing import Iterator

from pylitmus.checker import Options, check_test, model_for
from pylitmus.collector import test_ended
from pylitmus.errors import LitmusError
from pylitmus.frontend import parse_file, parse_text
from pylitmus.frontend.parser import load_parsers
from pylitmus.limits import limit_message
from pylitmus.report.expect import Expectation
from pylitmus.report.inputs import Job
from pylitmus.result import Result

# Jobs a worker is given at once, at most: a family of generated tests mostly goes to one
# worker, which meets its repeated cells and threads again (with 16, the workers spent
# 10-30% more CPU time on the base tests)
MAX_CHUNK = 64


@dataclass
class Failure:
    """Why a test has no verdict. `text` is the full message shown to the user."""

    message: str
    file: str
    line: int = 0
    col: int = 0
    text: str = ""
    timed_out: bool = False

    @classmethod
    def from_error(cls, error: LitmusError, file: str) -> "Failure":
        return cls(error.message, error.file or file, error.line, error.col, str(error))

    @classmethod
    def plain(cls, file: str, message: str, timed_out: bool = False) -> "Failure":
        return cls(message, file, text=f"{file}: {message}", timed_out=timed_out)


@dataclass
class Outcome:
    """One test's verdict (`result`) or the reason it has none (`failure`)."""

    file: str
    result: Result | None = None
    failure: Failure | None = None
    expectation: Expectation | None = None

    @property
    def verdict(self) -> Result:
        """The result of a test that was checked (one without a failure)."""
        assert self.result is not None, f"{self.file} has no verdict"
        return self.result

    @property
    def status(self) -> str:
        if self.failure is None:
            return "ok"
        return "timeout" if self.failure.timed_out else "error"


def check_job(job: Job, options: Options) -> Outcome:
    """Parse and check one test; every problem becomes a `Failure`, never an exception."""
    try:
        return _outcome(job, options)
    finally:
        test_ended()


def _outcome(job: Job, options: Options) -> Outcome:
    if job.problem is not None:
        return Outcome(job.file, failure=Failure.plain(job.file, job.problem))
    try:
        test = parse_file(job.file) if job.text is None else parse_text(job.text, job.file)
        return Outcome(job.file, result=check_test(test, options))
    except LitmusError as error:
        return Outcome(job.file, failure=Failure.from_error(error, job.file))
    except Exception as error:  # noqa: BLE001 - any bug must stay one line for the user
        message = f"internal error: {type(error).__name__}: {error}"
        return Outcome(job.file, failure=Failure.plain(job.file, message))


def run_jobs(jobs: list[Job], options: Options, workers: int = 1,
             timeout: float | None = None) -> Iterator[Outcome]:
    """Each job's outcome, in job order."""
    if workers <= 1 and timeout is None:
        return (check_job(job, options) for job in jobs)
    return _run_in_workers(jobs, options, max(workers, 1), timeout)


def _run_in_workers(jobs: list[Job], options: Options, workers: int,
                    timeout: float | None) -> Iterator[Outcome]:
    import multiprocessing
    from multiprocessing.connection import wait

    context = multiprocessing.get_context("fork")
    # What every worker would load first, loaded once here: the workers inherit it.
    load_parsers()
    try:
        model_for(options, options.variant)
    except LitmusError:
        pass  # each test reports it
    count = min(workers, len(jobs))
    # Without --timeout a worker holds the chunk it checks and the next one, so that it
    # never waits for this process between chunks; under --timeout, one chunk of one job.
    depth = 2 if timeout is None else 1
    pool = [_Worker(context, options) for _ in range(count)]
    waiting = deque(enumerate(jobs))
    finished: dict[int, Outcome] = {}
    next_index = 0
    try:
        while next_index < len(jobs):
            for worker in pool:
                while waiting and len(worker.chunks) < depth:
                    size = _chunk_size(len(waiting), count, timeout)
                    worker.give([waiting.popleft() for _ in range(size)], timeout)
            busy = [worker for worker in pool if worker.chunks]
            ready = wait([worker.connection for worker in busy],
                         timeout=_time_to_first(busy))
            for index, worker in enumerate(pool):
                if timeout is not None and worker.overdue():
                    # over its time, even if its outcomes came meanwhile
                    finished.update(worker.timed_out(timeout))
                elif worker.connection in ready:
                    finished.update(worker.take())
                else:
                    continue
                if not worker.alive:
                    waiting.extendleft(reversed(worker.unstarted()))
                    pool[index] = _Worker(context, options)
            while next_index in finished:
                yield finished.pop(next_index)
                next_index += 1
    finally:
        for worker in pool:
            worker.stop()


def _chunk_size(waiting: int, workers: int, timeout: float | None) -> int:
    """How many of the waiting jobs a worker gets at once: chunks spare the workers a
    wait on the parent between tests, and shrink as the batch ends so that the workers
    finish together; one job under --timeout, which is per test."""
    if timeout is not None:
        return 1
    return max(1, min(MAX_CHUNK, waiting // (4 * workers)))


class _Worker:
    """A forked process checking the chunks of jobs it is given, in the order given."""

    def __init__(self, context, options: Options):
        self.connection, child_end = context.Pipe()
        self.process = context.Process(target=_serve, args=(child_end, options), daemon=True)
        self.process.start()
        child_end.close()
        self.chunks: deque[list[tuple[int, Job]]] = deque()  # given, outcomes not taken
        self.deadline: float | None = None  # of the first chunk, under --timeout
        self.alive = True

    def give(self, chunk: list[tuple[int, Job]], timeout: float | None) -> None:
        self.chunks.append(chunk)
        if timeout is not None:
            self.deadline = time.monotonic() + timeout
        try:
            self.connection.send([job for _, job in chunk])
        except OSError:
            pass  # the process died on an earlier chunk: `take` tells of it

    def take(self) -> dict[int, Outcome]:
        """The outcomes of the first chunk given, by job index; internal errors if the
        process died."""
        chunk = self.chunks.popleft()
        try:
            return dict(zip([index for index, _ in chunk], self.connection.recv()))
        except (EOFError, OSError):  # OSError: it died with a chunk it had not read
            self.stop()
            message = f"internal error: the worker process ended with status " \
                      f"{self.process.exitcode}"
            return {index: Outcome(job.file, failure=Failure.plain(job.file, message))
                    for index, job in chunk}

    def timed_out(self, timeout: float) -> dict[int, Outcome]:
        """Stop the worker: the jobs of its first chunk timed out."""
        self.stop()
        return {index: Outcome(job.file, failure=Failure.plain(
            job.file, limit_message("timed out", "--timeout", f"{timeout:g}"),
            timed_out=True)) for index, job in self.chunks.popleft()}

    def unstarted(self) -> list[tuple[int, Job]]:
        """The jobs of the chunks given after the first (of a worker that stopped)."""
        jobs = [job for chunk in self.chunks for job in chunk]
        self.chunks.clear()
        return jobs

    def overdue(self) -> bool:
        return self.deadline is not None and bool(self.chunks) and \
            time.monotonic() >= self.deadline

    def stop(self) -> None:
        self.alive = False
        self.connection.close()
        self.process.kill()
        self.process.join()


def _serve(connection, options: Options) -> None:
    """A worker's loop: check each chunk of jobs received, until the connection closes."""
    while True:
        try:
            chunk = connection.recv()
        except (EOFError, KeyboardInterrupt):
            return
        outcomes = [check_job(job, options) for job in chunk]
        try:
            connection.send(outcomes)
        except Exception as error:  # noqa: BLE001 - e.g. a result that cannot be pickled
            message = f"internal error: cannot send the result: {error}"
            connection.send([Outcome(job.file, failure=Failure.plain(job.file, message))
                             for job in chunk])


def _time_to_first(workers) -> float | None:
    deadlines = [w.deadline for w in workers if w.deadline is not None]
    return max(0.0, min(deadlines) - time.monotonic()) if deadlines else None


@dataclass
class Tally:
    """Counts over a batch, for the summary and the exit status."""

    tests: int = 0
    always: int = 0
    sometimes: int = 0
    never: int = 0
    mismatches: int = 0
    errors: int = 0
    timeouts: int = 0
    seconds: float = 0.0

    def add(self, outcome: Outcome) -> None:
        self.tests += 1
        if outcome.status == "error":
            self.errors += 1
        elif outcome.status == "timeout":
            self.timeouts += 1
        else:
            observation = outcome.verdict.observation.lower()
            setattr(self, observation, getattr(self, observation) + 1)
            if outcome.expectation is not None and not outcome.expectation.matches:
                self.mismatches += 1

    @property
    def exit_status(self) -> int:
        """2 if some test has no verdict, else 1 if some verdict was not the expected one."""
        if self.errors or self.timeouts:
            return 2
        return 1 if self.mismatches else 0
