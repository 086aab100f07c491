"""Run a compiled model stage in Python: the reference evaluator.

Sets are Python ints used as bit sets over event numbers 0..n-1; relations are
lists of n such ints (row i holds the successors of event i).
"""

from __future__ import annotations

from . import program as P


def bits(x: int):
    """The members of a bit set, lowest first."""
    while x:
        low = x & -x
        yield low.bit_length() - 1
        x ^= low


def seq(a: list[int], b: list[int]) -> list[int]:
    out = []
    for row in a:
        acc = 0
        while row:
            low = row & -row
            acc |= b[low.bit_length() - 1]
            row ^= low
        out.append(acc)
    return out


def inverse(a: list[int], n: int) -> list[int]:
    out = [0] * n
    for i, row in enumerate(a):
        for j in bits(row):
            out[j] |= 1 << i
    return out


def plus(a: list[int]) -> list[int]:
    """Transitive closure (Warshall on bit rows)."""
    out = list(a)
    n = len(out)
    for k in range(n):
        kbit = 1 << k
        rowk = out[k]
        if not rowk:
            continue
        for i in range(n):
            if out[i] & kbit:
                out[i] |= rowk
    return out


def is_acyclic(a: list[int]) -> bool:
    """No cycle: repeatedly remove events with no successor left."""
    n = len(a)
    alive = (1 << n) - 1
    changed = True
    while changed and alive:
        changed = False
        for i in bits(alive):
            if not (a[i] & alive):
                alive &= ~(1 << i)
                changed = True
    return alive == 0


def holds(kind: str, value, n: int) -> bool:
    """Does a check (or the condition of a flag) hold of a slot's value?"""
    if kind == "acyclic":
        return is_acyclic(value)
    if kind == "irreflexive":
        return not any(row >> i & 1 for i, row in enumerate(value))
    nonempty = any(value) if isinstance(value, list) else value != 0
    return nonempty if kind == "nonempty" else not nonempty


def run_ops(stage: P.Stage, ops, slots: list, inputs: dict, n: int) -> None:
    """Evaluate `ops` of `stage` into `slots`; inputs maps input names to values."""
    full = (1 << n) - 1
    kinds = stage.kinds
    diagonal: dict[int, int] = {}  # slots computed here as [S]: slot -> S
    for op in ops:
        c, a, b = op.code, op.a, op.b
        if c == P.INPUT:
            v = inputs[op.name]
        elif c == P.EMPTY:
            v = [0] * n
        elif c == P.COPY:
            v = slots[a]
            if a in diagonal:
                diagonal[op.dest] = diagonal[a]
        elif c in (P.UNION, P.INTER, P.DIFF):
            x, y = slots[a], slots[b]
            if kinds[a] == P.SET:
                v = x | y if c == P.UNION else x & y if c == P.INTER else x & ~y
            elif c == P.UNION:
                v = [p | q for p, q in zip(x, y)]
            elif c == P.INTER:
                v = [p & q for p, q in zip(x, y)]
            else:
                v = [p & ~q for p, q in zip(x, y)]
        elif c == P.SEQ:
            if a in diagonal:  # [S]; r keeps the rows of S
                s = diagonal[a]
                v = [row if s >> i & 1 else 0 for i, row in enumerate(slots[b])]
            elif b in diagonal:  # r; [S] keeps the columns of S
                s = diagonal[b]
                v = [row & s for row in slots[a]]
            else:
                v = seq(slots[a], slots[b])
        elif c == P.INVERSE:
            v = inverse(slots[a], n)
        elif c == P.PLUS:
            v = plus(slots[a])
        elif c == P.OPT:
            v = [row | (1 << i) for i, row in enumerate(slots[a])]
        elif c == P.IDENTITY:
            s = slots[a]
            v = [(1 << i) if s >> i & 1 else 0 for i in range(n)]
            diagonal[op.dest] = s
        elif c == P.CROSS:
            s, t = slots[a], slots[b]
            v = [t if s >> i & 1 else 0 for i in range(n)]
        elif c == P.COMPLEMENT:
            x = slots[a]
            v = full & ~x if kinds[a] == P.SET else [full & ~row for row in x]
        elif c == P.DOMAIN:
            v = sum(1 << i for i, row in enumerate(slots[a]) if row)
        elif c == P.RANGE:
            v = 0
            for row in slots[a]:
                v |= row
        else:
            raise P.ModelError(f"unknown op {c}")
        slots[op.dest] = v


def evaluate_stage(stage: P.Stage, inputs: dict, n: int) -> list:
    """Evaluate a whole stage; returns the slot values."""
    slots: list = [None] * len(stage.kinds)
    run_ops(stage, stage.ops, slots, inputs, n)
    return slots
