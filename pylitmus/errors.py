"""The one error type users see: a message tied to a place in their file."""

from __future__ import annotations

from typing import TypeVar

_Error = TypeVar("_Error", bound="LitmusError")


class LitmusError(Exception):
    """A problem with a user's test, reported as `file:line:col: message`.

    `line` and `col` are 0 when the problem has no single place (for example a
    missing file, or a semantic problem herd7 reports for the whole test)."""

    def __init__(self, message: str, file: str = "", line: int = 0, col: int = 0,
                 source_line: str | None = None):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        self.source_line = source_line

    @classmethod
    def at(cls: type[_Error], pos, message: str) -> _Error:
        """An error at an `ast.Pos` (or None)."""
        if pos is None:
            return cls(message)
        return cls(message, pos.file, pos.line, pos.col)

    def where(self) -> str:
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file

    def __str__(self) -> str:
        where = self.where()
        text = f"{where}: {self.message}" if where else self.message
        if self.source_line is not None and self.col:
            text += "\n" + self.source_line.rstrip("\n") + "\n" + " " * (self.col - 1) + "^"
        return text
