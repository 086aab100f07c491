"""Parses remembered by text. A suite repeats its cells, init blocks and conditions, and
a text parses to the same AST pieces wherever it is, but for the places they carry: a
text parsed once is only moved to each other place it recurs."""

from __future__ import annotations

from typing import Callable

from lark import Token

from pylitmus.frontend.ast import Pos

MAX_TEXTS = 1 << 14  # texts a process remembers


def remembered(key: tuple, place: Pos, parse: Callable[[], object]):
    """The AST pieces of the text `key` names (with what parses it) at `place`: those of
    `parse()`, or of an earlier parse of that text, moved. A text that does not parse
    (`parse` raises) is not remembered, so each error is found at its own place."""
    parsed = _PARSES.get(key)
    if parsed is None:
        if len(_PARSES) >= MAX_TEXTS:
            _PARSES.clear()
        parsed = _PARSES[key] = Parsed(parse(), place)
    return parsed.at(place)


class Parsed:
    """The AST pieces of a text parsed at `parsed_at`, to be moved where the same text is
    elsewhere; their parts that hold no place (an instruction's operands, say) are shared."""

    def __init__(self, pieces, parsed_at: Pos):
        self.pieces = pieces
        self.parsed_at = parsed_at
        self.shared: set[int] = set()  # ids of the parts (tuples, AST nodes) holding no place
        self._holds_place(pieces)

    def _holds_place(self, piece) -> bool:
        if type(piece) in (Pos, Token):
            return True
        parts = _parts(piece)
        if parts is None:
            return False
        if any([self._holds_place(part) for part in parts]):  # a list: visit every part
            return True
        if type(piece) is not list:  # lists are never shared: their users may change them
            self.shared.add(id(piece))
        return False

    def at(self, place: Pos):
        """The pieces, each place moved to where the same text is at `place`."""
        return self._moved(self.pieces, place)

    def _moved(self, piece, place: Pos):
        kind = type(piece)
        if kind is Pos:
            line = piece.line + place.line - self.parsed_at.line
            col = piece.col + place.col - self.parsed_at.col \
                if piece.line == self.parsed_at.line else piece.col
            return Pos(place.file, line, col)
        if kind is Token:
            moved = self._moved(Pos("", piece.line, piece.column), place)
            return Token(piece.type, piece.value, line=moved.line, column=moved.col)
        if kind is list:
            return [self._moved(part, place) for part in piece]
        if id(piece) in self.shared:
            return piece
        if kind is tuple:
            return tuple([self._moved(part, place) for part in piece])
        names = _field_names(kind)
        if names is None:
            return piece
        return kind(*[self._moved(getattr(piece, name), place) for name in names])


def holds_place(piece) -> bool:
    """Does a piece (a list, a tuple, an AST node) hold a place anywhere within it?"""
    if type(piece) in (Pos, Token):
        return True
    parts = _parts(piece)
    return parts is not None and any(holds_place(part) for part in parts)


def _parts(piece) -> list | tuple | None:
    """The parts of a list, a tuple or an AST node; None for anything else."""
    kind = type(piece)
    if kind is list or kind is tuple:
        return piece
    names = _field_names(kind)
    return None if names is None else [getattr(piece, name) for name in names]


def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass, None for another type (remembered per type)."""
    if kind not in _FIELD_NAMES:
        fields = getattr(kind, "__dataclass_fields__", None)
        _FIELD_NAMES[kind] = None if fields is None else tuple(fields)
    return _FIELD_NAMES[kind]


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}
_PARSES: dict[tuple, Parsed] = {}
