"""The text of one litmus file, its comments blanked out, its offsets mapped to lines/columns."""

from __future__ import annotations

import bisect

from pylitmus.errors import LitmusError
from pylitmus.frontend.ast import Pos


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
        chars = list(text)
        depth = 0
        opened_at: list[int] = []
        in_string = False
        i = 0
        while i < len(text):
            pair = text[i:i + 2]
            if depth == 0 and text[i] == '"':
                in_string = not in_string
            elif depth == 0 and text[i] == "\n":
                in_string = False
            if not in_string and pair == "(*":
                depth += 1
                opened_at.append(i)
                chars[i] = chars[i + 1] = " "
                i += 2
                continue
            if depth and pair == "*)":
                depth -= 1
                opened_at.pop()
                chars[i] = chars[i + 1] = " "
                i += 2
                continue
            if depth and text[i] != "\n":
                chars[i] = " "
            i += 1
        if depth:
            raise self.error(opened_at[0], "comment '(*' is never closed with '*)'")
        return "".join(chars)
