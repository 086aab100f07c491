"""The parse tables of the Lark grammars of `pylitmus.grammars`: computed by Lark once, kept
in an on-disk cache, loaded once per process (without importing Lark when the cache has them)."""

from __future__ import annotations

import functools
import marshal
import os
import sys
import zlib
from pathlib import Path
from typing import Any

from pylitmus.frontend.lalr import Tables

TABLES_FORMAT = 1  # the version of what `_compute` gives: change it when that changes
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
    "PTE": "PTE or TTD",
    "PA": "PA",
    "OA": "oa",
    "ATTRS": "attrs",
    "FAULT": "fault",
    "FAULT_PART": "a thread, location or fault type",
    "ATTRIBUTE": "a memory attribute",
    "PAREL1": "parel1_t",
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
def tables(name: str, start: str) -> Tables:
    """The LALR tables for rule `start` of grammar `name` ("litmus" or "aarch64").

    Each start rule gets its own tables, so the contextual lexer of one part never sees
    the terminals of another."""
    text = grammar_text(name)
    directory = _cache_dir()
    if directory is None:
        return Tables(_compute(text, start))
    # The name keeps apart the tables of different grammars (and Python's marshal formats).
    python = "%d%d" % sys.version_info[:2]
    digest = zlib.crc32(text.encode())
    path = directory / f"{name}-{start}-{digest:08x}-v{TABLES_FORMAT}-py{python}.tables"
    try:
        return Tables(marshal.loads(path.read_bytes()))
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        data = _compute(text, start)
        temporary = path.with_name(f"{path.name}.{os.getpid()}")
        try:
            temporary.write_bytes(marshal.dumps(data))
            os.replace(temporary, path)
        except OSError:
            pass
        return Tables(data)


def _compute(text: str, start: str) -> dict[str, Any]:
    """Lark's LALR tables and contextual lexer for rule `start` of a grammar, as plain data
    (the layout of `lalr.Tables`). They are read from Lark's parser objects, some of them
    private (its parse table, its lexers' regular expressions): tests/frontend/test_grammar.py
    computes them afresh and parses with them."""
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    parser = Lark(text, parser="lalr", lexer="contextual", start=start)
    frontend = parser.parser
    table = frontend.parser._parse_table
    rules = parser.rules
    rule_index = {rule: index for index, rule in enumerate(rules)}
    assert sorted(table.states) == list(range(len(table.states)))
    terminals = {terminal.name for terminal in parser.terminals} | {"$END"}
    actions: list[dict[str, int]] = []
    gotos: list[dict[str, int]] = []
    for state in range(len(table.states)):
        actions.append({})
        gotos.append({})
        for symbol, (action, argument) in table.states[state].items():
            if symbol not in terminals:
                gotos[-1][str(symbol)] = argument
            elif action is Shift:
                actions[-1][str(symbol)] = argument
            else:
                actions[-1][str(symbol)] = -1 - rule_index[argument]
    lexers: list = []
    lexer_index: dict[int, int] = {}

    def lexer_of(lexer) -> int:
        """The index of a Lark BasicLexer's scanner in `lexers`, added when new."""
        if id(lexer) not in lexer_index:
            scanner = lexer.scanner
            (regex,) = scanner._mres
            keywords = {}
            for kind, callback in lexer.callback.items():
                (keyword,) = callback.scanner._mres
                keywords[kind] = (keyword.pattern, keyword.flags)
            allowed = scanner.allowed_types - lexer.ignore_types or {"<END-OF-FILE>"}
            lexer_index[id(lexer)] = len(lexers)
            lexers.append((regex.pattern, regex.flags, keywords, sorted(allowed)))
        return lexer_index[id(lexer)]

    contextual = frontend.lexer
    state_lexers = [lexer_of(contextual.lexers[state]) for state in range(len(table.states))]
    descriptions = {}
    for terminal in parser.terminals:
        if terminal.name in TERMINAL_DESCRIPTIONS:
            descriptions[terminal.name] = TERMINAL_DESCRIPTIONS[terminal.name]
        elif terminal.pattern.type == "str":
            descriptions[terminal.name] = f"'{terminal.pattern.value}'"
        else:
            descriptions[terminal.name] = terminal.name.lower()
    descriptions["$END"] = TERMINAL_DESCRIPTIONS["$END"]
    return {
        "start_state": table.start_states[start],
        "end_state": table.end_states[start],
        "actions": actions,
        "gotos": gotos,
        "rules": [_rule(rule) for rule in rules],
        "state_lexers": state_lexers,
        "lexers": lexers,
        "root_lexer": lexer_of(contextual.root_lexer),
        "ignore": sorted(contextual.root_lexer.ignore_types),
        "descriptions": descriptions,
    }


def _rule(rule) -> tuple:
    """A Lark rule as `lalr.Tables` takes it, with Lark's ways of building a tree: the
    children it keeps (not the tokens of anonymous strings such as ","; those of an inlined
    `_rule` in its place), whether a single child stands for it (`?rule` without an alias)
    and whether it is inlined itself."""
    from lark.grammar import Terminal

    name = str(rule.origin.name)
    if rule.options.empty_indices or rule.options.template_source:
        raise NotImplementedError(f"rule {name}: `[...]` (placeholders) and templates are "
                                  f"not supported by the front end's parser")
    kept = [(index, not symbol.is_term and symbol.name.startswith("_"))
            for index, symbol in enumerate(rule.expansion)
            if rule.options.keep_all_tokens
            or not (isinstance(symbol, Terminal) and symbol.filter_out)]
    return (name, str(rule.alias or name), len(rule.expansion), kept,
            bool(rule.options.expand1 and not rule.alias), name.startswith("_"))
