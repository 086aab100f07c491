"""The parse tables of the grammars (`frontend/grammar.py`): computed by Lark, kept in the
on-disk cache, read back the same, recomputed when the cache is damaged or absent."""

from __future__ import annotations

import pytest

from pylitmus.errors import LitmusError
from pylitmus.frontend import grammar, parse_text, parser
from pylitmus.frontend.grammar import tables

TEST = """AArch64 T
{ 0:X1=x; int y=2; 1:X1=y; }
 P0          | P1               ;
 L0: MOV W0,#1 | LDR W2,[X1,#8]! ;
 STR W0,[X1] | B L1             ;
             | L1:              ;
exists (1:X2=1 /\\ ~([x]=1 \\/ y=2))
"""
EXPECTED = parse_text(TEST, "t.litmus")


def outcome(text: str):
    """The test a text parses to, or the error it gives (as the user sees it)."""
    try:
        return parse_text(text, "t.litmus")
    except LitmusError as error:
        return str(error)


# Texts with an error in each part: their messages name what was expected there.
BAD = [TEST.replace("#8]!", "#8"), TEST.replace("y=2;", "y=2;;;"), TEST.replace("~(", "~")]
BAD_OUTCOMES = [outcome(text) for text in BAD]
START_RULES = [("litmus", "init"), ("litmus", "final"), ("litmus", "expr"), ("aarch64", "cell")]


def fresh_tables(name: str, start: str):
    """`tables(name, start)` read again, as in a new process."""
    tables.cache_clear()
    return tables(name, start)


@pytest.fixture
def cache_home(tmp_path, monkeypatch):
    """An empty cache directory of its own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(parser, "_CELLS", {})
    grammar._cache_dir.cache_clear()
    yield tmp_path / "pylitmus"
    grammar._cache_dir.cache_clear()
    tables.cache_clear()


def parts(parsed):
    return (parsed.start_state, parsed.end_state, parsed.actions, parsed.gotos, parsed.rules,
            parsed.state_lexers, parsed.lexers, parsed.root_lexer, parsed.ignore,
            parsed.descriptions)


@pytest.mark.parametrize("name,start", START_RULES)
def test_cached_tables_are_those_lark_computed(cache_home, name, start):
    computed = fresh_tables(name, start)
    (cached_file,) = cache_home.glob(f"{name}-{start}-*.tables")
    assert parts(fresh_tables(name, start)) == parts(computed)
    cached_file.write_bytes(b"damaged")
    recomputed = fresh_tables(name, start)  # Lark numbers the states anew each time
    assert len(recomputed.actions) == len(computed.actions)
    assert outcome(TEST) == EXPECTED
    assert [outcome(text) for text in BAD] == BAD_OUTCOMES


def test_tables_without_a_cache_directory(tmp_path, monkeypatch, cache_home):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    grammar._cache_dir.cache_clear()
    assert grammar._cache_dir() is None
    assert fresh_tables("aarch64", "cell").describe("IMM") == "an immediate (#n)"

