"""The limits on the work one test may cause, so that no test runs forever or fills memory.

Each limit has an option that raises it; going over one is a `LimitError` whose one-line
message names the limit and that option. The loop bound (`--unroll`) and the time limit
(`--timeout`) are the other two limits; they are reported where they apply.
"""

from __future__ import annotations

from typing import NamedTuple

from .errors import LitmusError

MAX_EXECUTIONS = 1_000_000
MAX_STEPS = 10_000


class Limits(NamedTuple):
    """`max_executions`: candidate executions (thread runs, their combinations, consistent
    executions) a test may have; `max_steps`: instructions one thread run may execute."""

    max_executions: int = MAX_EXECUTIONS
    max_steps: int = MAX_STEPS


def limit_message(what: str, option: str, limit: int | str) -> str:
    """`what` went over the limit `option`: one line that says how to raise it."""
    return f"{what}: over the limit {option}={limit} (raise it with {option} N)"


class LimitError(LitmusError):
    """A test needs more work than a limit allows (its message is a `limit_message`)."""
