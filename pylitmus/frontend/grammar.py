"""Loading the Lark grammars of `pylitmus.grammars`, once per process, through an on-disk cache."""

from __future__ import annotations

import functools
import os
import sys
import zlib
from pathlib import Path

import lark
from lark import Lark

# How error messages name the terminals that are not plain strings.
TERMINAL_DESCRIPTIONS = {
    "INT": "a number",
    "NAME": "a name",
    "SYMREG": "a symbolic register",
    "NEGATIVE_INT": "a number",
    "TAGGED_STRING": 'label:"..." or instr:"..."',
    "QUANTIFIER": "exists, ~exists or forall",
    "WORD": "a register, a name or a mnemonic",
    "IMM": "an immediate (#n)",
    "NUMBER": "a number",
    "PCOFF": "a PC offset (.+n)",
    "$END": "the end",
}


@functools.cache
def _cache_dir() -> Path | None:
    """`~/.cache/pylitmus` (or under $XDG_CACHE_HOME), or None when it cannot be written."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    directory = Path(base) / "pylitmus"
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return directory if os.access(directory, os.W_OK) else None


def grammar_text(name: str) -> str:
    """The text of `grammars/NAME.lark` (installed as the package `pylitmus.grammars`)."""
    import pylitmus.grammars as grammars

    return (Path(grammars.__file__).parent / f"{name}.lark").read_text(encoding="utf-8")


@functools.cache
def load(name: str, start: str) -> Lark:
    """The LALR parser for rule `start` of grammar `name` ("litmus" or "aarch64").

    Each start rule gets its own tables, so the contextual lexer of one part never sees
    the terminals of another."""
    text = grammar_text(name)
    options = dict(parser="lalr", lexer="contextual", start=start, propagate_positions=True)
    directory = _cache_dir()
    if directory is not None:
        # Lark checks the grammar's hash stored in the file; the name keeps apart the
        # versions that installs of different grammars (or Lark, or Python) use.
        python = "%d%d" % sys.version_info[:2]
        digest = zlib.crc32(text.encode())
        cache_name = f"{name}-{start}-{digest:08x}-lark{lark.__version__}-py{python}.cache"
        options["cache"] = str(directory / cache_name)
    return Lark(text, **options)


def describe_terminal(parser: Lark, name: str) -> str:
    """A terminal as a person would name it: `','`, `a number`, ..."""
    if name in TERMINAL_DESCRIPTIONS:
        return TERMINAL_DESCRIPTIONS[name]
    try:
        pattern = parser.get_terminal(name).pattern
    except KeyError:
        return name
    if pattern.type == "str":
        return f"'{pattern.value}'"
    return name.lower()
