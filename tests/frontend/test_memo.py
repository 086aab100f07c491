"""Parses remembered by text (`frontend/memo.py`): the same pieces as a fresh parse, at
each place the text recurs; errors at their own place."""

from __future__ import annotations

import pytest

from pylitmus.errors import LitmusError
from pylitmus.frontend import memo, parse_text

TEST = """AArch64 T
{ 0:X1=x; 1:X1=x; }
 P0          | P1          ;
 L0: MOV W0,#1 | MOV W0,#1 ;
 STR W0,[X1] | LDR W2,[X1] ;
exists (1:X2=1 /\\ [x]=1)
"""
# The same texts elsewhere: two lines lower, the table further right, another file.
MOVED = TEST.replace("AArch64 T\n", "AArch64 T\n\n\n").replace("\n P", "\n    P") \
    .replace("\n L0", "\n    L0").replace("\n STR", "\n    STR")


def test_remembered_pieces_are_those_of_a_fresh_parse(monkeypatch) -> None:
    monkeypatch.setattr(memo, "_PARSES", {})
    parse_text(TEST, "first.litmus")
    remembered = parse_text(MOVED, "second.litmus")
    monkeypatch.setattr(memo, "_PARSES", {})
    fresh = parse_text(MOVED, "second.litmus")
    assert remembered == fresh
    assert remembered.threads[1].code[0].pos == fresh.threads[1].code[0].pos
    assert remembered.threads[0].code[0].pos.file == "second.litmus"


def test_an_error_is_found_at_its_own_place_each_time() -> None:
    bad = TEST.replace("LDR W2,[X1]", "LDR W2,[X1")
    places = []
    for text in (bad, bad.replace("AArch64 T\n", "AArch64 T\n\n")):
        with pytest.raises(LitmusError) as error:
            parse_text(text, "bad.litmus")
        places.append((error.value.line, error.value.col))
    assert places[1] == (places[0][0] + 1, places[0][1])
