"""Access sizes without a mixed-size variant, by herd7's rule (herd/mem.ml, check_sizes):
in each execution the model allows, every access to a location, its initial write included,
has one size. The initial write has the location's type's size (herd/archExtra_herd.ml,
build_size_env): its declared type, an array's element type, and for an untyped location
herd7's `int` (32 bits), or a pointer (64 bits) when it starts with an address. Each case's
answer is herd7's."""

from __future__ import annotations

import pytest

import pylitmus
from pylitmus.errors import LitmusError


def one_thread(init: str, code: str, condition: str) -> str:
    return f"AArch64 T\n{{ {init} }}\n P0 ;\n {code} ;\nexists ({condition})\n"


@pytest.mark.parametrize("init, code, condition", [
    ("x=y; 0:X1=x;", "LDR X0,[X1]", "0:X0=y"),  # untyped, starts with an address
    ("uint64_t t[2]; 0:X1=t;", "LDR X0,[X1,#8]", "0:X0=0"),
    ("uint32_t x; 0:X1=x;", "LDR W0,[X1]", "0:X0=0"),
    ("int64_t x; 0:X1=x; 0:X2=1;", "LDADD X2,X0,[X1]", "0:X0=0"),
    ("uint64_t x; 0:X1=x;", "NOP", "x=0"),  # no access at all
])
def test_accesses_of_the_locations_size_are_checked(init, code, condition):
    assert pylitmus.check(one_thread(init, code, condition)).observation == "Always"


@pytest.mark.parametrize("init, code, what", [
    ("0:X1=x;", "LDR X0,[X1]", "reads 64 bits of x, a 32-bit location"),  # untyped: int
    ("long x; 0:X1=x;", "LDR X0,[X1]", "reads 64 bits of x, a 32-bit location"),  # long: 32
    ("int *x; 0:X1=x;", "LDR W0,[X1]", "reads 32 bits of x, a 64-bit location"),
    ("int t[2]; 0:X1=t;", "LDR X0,[X1]", "reads 64 bits of t[0], a 32-bit location"),
    ("int64_t x; 0:X1=x;", "LDRB W0,[X1]", "reads 8 bits of x, a 64-bit location"),
    ("uint64_t x; 0:X1=x;", "STR W0,[X1]", "writes 32 bits of x, a 64-bit location"),
])
def test_an_access_of_another_size_is_refused(init, code, what):
    with pytest.raises(LitmusError) as error:
        pylitmus.check(one_thread(init, code, "true"))
    assert what in error.value.message and "--variant mixed" in error.value.message


MP_WITH_A_64_BIT_READ = """AArch64 T
{{ 0:X1=x; 0:X3=y; 1:X1=y; 1:X3=x; 1:X5=z; }}
 P0          | P1            ;
 MOV W0,#1   | {load} W0,[X1]   ;
 STR W0,[X1] | CBZ W0,end    ;
 DMB SY      | LDR W2,[X3]   ;
 STR W0,[X3] | CBNZ W2,end   ;
             | LDR X4,[X5]   ;
             | end:          ;
exists (1:X0=1 /\\ 1:X2=0)
"""


def test_only_an_execution_the_model_allows_is_checked():
    """P1 reads 64 bits of the int z only when it sees y=1 then x=0; with LDAR that
    execution is forbidden and herd7 answers (Never, 0 2); with LDR it is allowed."""
    result = pylitmus.check(MP_WITH_A_64_BIT_READ.format(load="LDAR"))
    assert (result.observation, result.positive, result.negative) == ("Never", 0, 2)
    with pytest.raises(LitmusError, match="illegal mixed-size test"):
        pylitmus.check(MP_WITH_A_64_BIT_READ.format(load="LDR"))


def test_the_size_of_each_location():
    from pylitmus.semantics.prepare import prepare
    init = "int x; uint64_t t[2]; char *p; u=x; 0:X1=x; 0:X2=t; 0:X3=p; 0:X4=u; 0:X5=v;"
    test = pylitmus.parse(one_thread(init, "NOP", "true"))
    assert prepare(test).env.location_bits == {
        "x": 32, "t[0]": 64, "t[1]": 64, "p": 64, "u": 64, "v": 32}
