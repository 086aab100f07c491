"""The common part of the plain-stream reporters (herd7 text, JSON Lines)."""

from __future__ import annotations

import sys
from typing import TextIO


class StreamReporter:
    """Writes results to `out` and messages to `err`, with no header and no footer."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None,
                 hexa: bool = False):
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.hexa = hexa  # herd7's -hexa: numbers in hexadecimal

    def start(self, total: int) -> None:
        """Results are written as they come: nothing to announce."""

    def finish(self, tally) -> None:
        """No summary."""
