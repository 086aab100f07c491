"""The text of one litmus file, its comments blanked out, its offsets mapped to lines/columns."""

from __future__ import annotations

import bisect
import re

from pylitmus.errors import LitmusError
from pylitmus.frontend.ast import Pos

# What opens or closes a comment, or a string (in which `(*` opens none); and what a
# comment's text is blanked by
COMMENT_MARKS = re.compile(r'\(\*|\*\)|"|\n')
NOT_NEWLINE = re.compile(r"[^\n]")


class Source:
    """A file's text, its comment-free twin and the helpers that turn offsets into places.

    `code` has the same length and line breaks as `text`; every comment `(* ... *)` (they
    nest) is replaced by spaces, so an offset means the same place in both."""

    def __init__(self, text: str, file: str):
        self.file = file
        self.text = text
        self.lines = text.split("\n")
        self._line_starts = [0]
        for line in self.lines[:-1]:
            self._line_starts.append(self._line_starts[-1] + len(line) + 1)
        self.code = self._blank_comments()

    def line_col(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of an offset."""
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def offset_of(self, line: int, col: int) -> int:
        """The offset of a 1-based line and column."""
        return self._line_starts[line - 1] + col - 1

    def pos(self, offset: int) -> Pos:
        line, col = self.line_col(offset)
        return Pos(self.file, line, col)

    def error(self, offset: int, message: str) -> LitmusError:
        """An error pointing at `offset`."""
        return self.error_at(*self.line_col(offset), message)

    def error_at(self, line: int, col: int, message: str) -> LitmusError:
        """An error pointing at a 1-based line and column."""
        source_line = self.lines[line - 1] if 0 < line <= len(self.lines) else None
        return LitmusError(message, self.file, line, col, source_line)

    def _blank_comments(self) -> str:
        text = self.text
        if "(*" not in text:  # no comment opens: nothing to blank, nothing left open
            return text
        pieces = []
        copied = 0  # the text before this offset is in `pieces`
        depth = 0
        opened_at = 0  # where the outermost open comment begins
        in_string = False  # a comment does not open inside "..." (which ends at a line end)
        for mark in COMMENT_MARKS.finditer(text):
            kind = mark.group()
            if depth:
                if kind == "(*":
                    depth += 1
                elif kind == "*)":
                    depth -= 1
                    if depth == 0:
                        pieces.append(text[copied:opened_at])
                        pieces.append(NOT_NEWLINE.sub(" ", text[opened_at:mark.end()]))
                        copied = mark.end()
            elif kind == '"':
                in_string = not in_string
            elif kind == "\n":
                in_string = False
            elif kind == "(*" and not in_string:
                depth, opened_at = 1, mark.start()
        if depth:
            raise self.error(opened_at, "comment '(*' is never closed with '*)'")
        pieces.append(text[copied:])
        return "".join(pieces)
