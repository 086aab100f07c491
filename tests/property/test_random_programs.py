"""Random small AArch64 programs give the same results on the C and the Python engines.

2 to 4 threads over locations x and y (X1 holds x, X3 holds y in every thread): stores,
loads, fences, address and data dependencies through EOR and ADD, forward branches on a
loaded value, LDADD and SWP; the condition asks about every loaded register.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pylitmus.checker import Options, check_test
from pylitmus.frontend import parse_text
from pylitmus.limits import Limits
from tests.property import examples

pytest.importorskip("pylitmus.explorer.native", reason="the C core is not built")

LIMITS = Limits(max_executions=200_000)
ADDRESS = {"x": "X1", "y": "X3"}
FENCES = ("DMB SY", "DMB LD", "DMB ST", "DMB ISH", "ISB")


@st.composite
def instruction(draw, loaded: list[str]):
    """Lines of one instruction (or a short dependent pair); `loaded` gets loaded registers."""
    where = ADDRESS[draw(st.sampled_from(("x", "y")))]
    target = f"W{4 + len(loaded)}"
    kind = draw(st.sampled_from(("store", "load", "fence", "addr", "data", "branch",
                                 "ldadd", "swp", "acquire", "release")))
    if kind == "store":
        return [f"MOV W0,#{draw(st.integers(1, 2))}", f"STR W0,[{where}]"]
    if kind == "release":
        return [f"MOV W0,#{draw(st.integers(1, 2))}", f"STLR W0,[{where}]"]
    if kind == "fence":
        return [draw(st.sampled_from(FENCES))]
    loaded.append(target)
    if kind == "load":
        return [f"LDR {target},[{where}]"]
    if kind == "acquire":
        return [f"LDAR {target},[{where}]"]
    if kind == "ldadd":
        return ["MOV W0,#1", f"LDADD W0,{target},[{where}]"]
    if kind == "swp":
        return ["MOV W0,#2", f"SWP W0,{target},[{where}]"]
    first = f"LDR {target},[{where}]"
    other = ADDRESS["y" if where == "X1" else "x"]
    if kind == "addr":
        return [first, f"EOR W2,{target},{target}", f"STR W0,[{other},W2,SXTW]"]
    if kind == "data":
        return [first, f"ADD W2,{target},#1", f"STR W2,[{other}]"]
    return [first, f"CBNZ {target},LC{len(loaded)}", "MOV W0,#1", f"STR W0,[{other}]",
            f"LC{len(loaded)}:"]


@st.composite
def programs(draw) -> str:
    threads = []
    conditions = []
    count = draw(st.integers(2, 4))
    for number in range(count):
        loaded: list[str] = []
        lines = []
        for _ in range(draw(st.integers(1, 5 // count))):  # the Python engine is slow
            lines += draw(instruction(loaded))
        threads.append(lines)
        conditions += [f"{number}:X{reg[1:]}={draw(st.integers(0, 2))}" for reg in loaded]
    init = " ".join(f"{i}:X1=x; {i}:X3=y;" for i in range(len(threads)))
    height = max(len(lines) for lines in threads)
    rows = [" | ".join(f"P{i}" for i in range(len(threads)))]
    rows += [" | ".join(lines[k] if k < len(lines) else "" for lines in threads)
             for k in range(height)]
    condition = " /\\ ".join(conditions) or "x=1"
    return "AArch64 random\n{ " + init + " }\n" + "".join(f" {r} ;\n" for r in rows) + \
        f"exists ({condition})\n"


def outcome(test, engine: str):
    result = check_test(test, Options(engine=engine, limits=LIMITS))
    return ([(s.values, s.executions, s.satisfies) for s in result.states],
            result.positive, result.negative, result.ok, result.observation, result.flags)


@settings(max_examples=examples(25))
@given(programs())
def test_engines_agree_on_random_programs(text):
    test = parse_text(text, "random.litmus")
    assert outcome(test, "c") == outcome(test, "python"), text
