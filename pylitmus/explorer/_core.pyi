"""The typed surface of the C core, `_core.c` (wrapped by `native.py`).

A set over a frame's n events is one int (bit i: event i); a relation is a list of n
such rows (row i: the events event i is related to)."""

from collections.abc import Sequence

Value = int | list[int]  # a set, or a relation

OPCODES: tuple[str, ...]  # the op codes' names by number, as the core was built with them
CHECK_KINDS: tuple[str, ...]  # the kinds of check by number, likewise

class Program:
    """A compiled stage. `ops`: (code, dest, a, b, src) per op, the static ops, then the
    chosen ops, then the dynamic ops; `src` indexes a context's inputs for INPUT ops
    (-1: rf, -2: co). `kinds`: per slot, 0 for a set, 1 for a relation. `checks`:
    (kind, slot, monotone); `flags`: (kind, slot); kinds as `native.CHECK_KINDS`."""

    def __new__(
        cls,
        ops: Sequence[tuple[int, int, int, int, int]],
        kinds: bytes,
        n_static: int,
        n_chosen: int,
        checks: Sequence[tuple[int, int, int]],
        flags: Sequence[tuple[int, int]],
    ) -> Program: ...

class Context:
    """A frame's slots: the static ops of `program` run on `inputs` (None for those the
    chosen orientations fill in later), over `n` events."""

    def __new__(cls, program: Program, n: int, inputs: Sequence[Value | None]) -> Context: ...
    def slot(self, index: int, /) -> Value:
        """A slot's value."""
    def is_empty(self, index: int, /) -> bool:
        """Is a slot's value empty?"""
    def explore(
        self,
        choice_inputs: Sequence[tuple[int, Value]],
        reads: Sequence[int],
        rf_choices: Sequence[Sequence[int]],
        locations: Sequence[Sequence[int]],
        /,
    ) -> dict[tuple[tuple[int, ...], int], int]:
        """Set the chosen inputs, run the chosen ops, and count the consistent
        executions: {(coherence-last write of each of `locations`, flag mask): count}."""
