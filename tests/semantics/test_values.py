"""Values of `semantics/values.py` on their own: code addresses moved by offsets, physical
addresses in arrays."""

from __future__ import annotations

import pytest

from pylitmus.semantics.values import CodeAddr, PhysAddr, herd_text


@pytest.mark.parametrize("address, offset, moved", [
    (CodeAddr(0, "@1"), 4, CodeAddr(0, "@2")),
    (CodeAddr(1, "@3"), -12, CodeAddr(1, "@0")),
    (CodeAddr(0, "@251"), 4, CodeAddr(0, "@252")),  # in the fault handler's code
    (CodeAddr(0, "@1"), 2, None),  # between two instructions
    (CodeAddr(0, "@1"), -8, None),  # before the code
    (CodeAddr(0, "L0"), 4, None),  # a label: herd7 keeps the offset beside it
])
def test_a_code_address_moved(address, offset, moved):
    assert address.moved(offset) == moved


def test_a_moved_code_address_is_herd7s_number():
    assert herd_text(CodeAddr(1, "@2")) == str(200008)
    assert CodeAddr(0, "@1").moved(4).number == 100008


def test_a_physical_address_in_an_array():
    assert str(PhysAddr("x")) == "PA(x)"
    assert str(PhysAddr("x", 8)) == "PA(x)+8"
    assert PhysAddr("x", 0) == PhysAddr("x")
