"""The common part of the plain-stream reporters (herd7 text, JSON Lines)."""

from __future__ import annotations

import sys
from typing import TextIO


class StreamReporter:
    """Writes results to `out` and messages to `err`, with no header and no footer."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None):
        self.out = out or sys.stdout
        self.err = err or sys.stderr

    def start(self, total: int) -> None:
        """Results are written as they come: nothing to announce."""

    def finish(self, tally) -> None:
        """No summary."""
