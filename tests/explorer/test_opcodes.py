"""The C core's op codes come from pylitmus/model/opcodes.py, the table program.py uses."""

from __future__ import annotations

import re

import pytest

from pylitmus.model import opcodes
from pylitmus.model import program as P


def test_the_c_core_was_built_with_the_op_codes_program_py_uses() -> None:
    core = pytest.importorskip("pylitmus.explorer._core")
    assert core.OPCODES == opcodes.OP_NAMES == P.OP_NAMES
    assert [getattr(P, name.upper()) for name in core.OPCODES] == list(range(len(core.OPCODES)))
    assert core.CHECK_KINDS == opcodes.CHECK_KINDS


def test_the_c_header_numbers_each_op_as_opcodes_py_does() -> None:
    numbers = dict(re.findall(r"OP_([A-Z]+) = (\d+)", opcodes.c_header()))
    assert {name: int(number) for name, number in numbers.items()} == {
        name: getattr(opcodes, name) for name in opcodes.OPCODES}
    kinds = dict(re.findall(r"CHECK_([A-Z]+) = (\d+)", opcodes.c_header()))
    assert {kind.lower(): int(number) for kind, number in kinds.items()} == {
        kind: number for number, kind in enumerate(opcodes.CHECK_KINDS)}
