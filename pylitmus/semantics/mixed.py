"""Memory as bytes, for the `mixed` variant (herd7's `-variant mixed`).

herd7 splits every access of N bytes into N byte events, one per byte address, little
endian (herd/eventsMonad.ml, Mixed: `byte_eas`, `explode`, `recompose`); the initial
write of a location is split alike, at the size of the location's type. The bytes of one
access make one single-copy-atomic group (the thread stage's `sca`). A byte location is
named `x+k`: byte k of location x (of array t, counted from its first cell).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import LitmusError
from . import events as E

# A whole write of a location: (offset, bytes, value, thread, instance); the initial
# writes are those of thread -1.
Pattern = tuple[int, int, int, int, int]


def byte_location(base: str, offset: int) -> str:
    """The name of byte `offset` of location `base`."""
    return f"{base}+{offset}"


def split_byte_location(loc: str) -> tuple[str, int]:
    """(base, offset) of a byte location's name."""
    base, _, offset = loc.rpartition("+")
    return base, int(offset)


def read_key(base: str, offset: int, size: int, thread: int, instance: int) -> str:
    """What a read of the `size` bytes at byte `offset` of location `base`, by an instance
    of a thread, decides on, as a whole: `x+0:4@1.3`."""
    return f"{base}+{offset}:{size}@{thread}.{instance}"


def split_read_key(key: str) -> tuple[str, int, int, int, int]:
    """(base, offset, size, thread, instance) of a read's key."""
    loc, _, rest = key.partition(":")
    size, _, reader = rest.partition("@")
    thread, _, instance = reader.partition(".")
    base, offset = split_byte_location(loc)
    return base, offset, int(size), int(thread), int(instance)


def written_patterns(events: list[E.Event], thread: int) -> list[tuple[str, Pattern]]:
    """The whole writes among the events of a thread's run, as (base, pattern)."""
    out = []
    for i, ev in enumerate(events):
        if ev.kind == E.MEM_WRITE and ev.width:
            base, offset = split_byte_location(ev.loc)  # type: ignore[arg-type]
            value = recompose([e.value for e in events[i:i + ev.width]])  # type: ignore[misc]
            out.append((base, (offset, ev.width, value, thread, ev.instance)))
    return out


def read_values(patterns: set[Pattern], offset: int, size: int, thread: int,
                instance: int) -> set[int]:
    """The values a read of `size` bytes at `offset`, by an instance of a thread, may
    return when the location's whole writes are `patterns`. It reads no write of its own
    thread's that is not before it in program order (the model's coherence forbids it,
    and herd7 never lets a read read from its own instruction). herd7 makes a read's
    bytes from whole writes (see the model's mixed-size part); with accesses aligned to
    their sizes, the ranges of two writes are nested or apart, so a read takes its bytes
    from one write that holds them all, or takes each half so, from the writes inside
    the half or from that same outer write (or from none, where writes inside the halves
    give all the bytes). A few of these combinations may be ones herd7 does not make:
    the model leaves them out."""
    visible = {p[:3] for p in patterns if p[3] != thread or p[4] < instance}
    outer = frozenset(_restricted(p, offset, size) for p in visible
                      if p[0] <= offset and offset + size <= p[0] + p[1]
                      and p[:2] != (offset, size))
    found = _range_values(visible, {}, offset, size, outer)
    return {recompose(list(value)) for value in found}


def _range_values(visible: set, known: dict, start: int, length: int,
                  outer: frozenset) -> set[tuple[int, ...]]:
    """The byte tuples a range may hold (`read_values`): from `outer`, the writes around
    it, from the `visible` writes of that range, or half by half; `known` keeps each
    range's answer."""
    found = known.get((start, length, outer))
    if found is not None:
        return found
    own = {_restricted(p, start, length) for p in visible if p[:2] == (start, length)}
    found = known[start, length, outer] = set(outer | own)
    if length > 1:
        half = length // 2
        for whole in (*outer, *own, None):  # None: the halves hold no common write
            below = (frozenset(), frozenset()) if whole is None else \
                (frozenset({whole[:half]}), frozenset({whole[half:]}))
            for low in _range_values(visible, known, start, half, below[0]):
                for high in _range_values(visible, known, start + half, half, below[1]):
                    found.add(low + high)
    return found


def _restricted(pattern: tuple[int, int, int], start: int, length: int) -> tuple[int, ...]:
    """The bytes of a whole write (at, size, value) from `start` on, `length` of them."""
    at, _, value = pattern
    return tuple(explode(value >> (8 * (start - at)), length))


def explode(value: int, size: int) -> list[int]:
    """The `size` bytes of a number, least significant first."""
    return [(value >> (8 * k)) & 0xFF for k in range(size)]


def recompose(values: list[int]) -> int:
    """The number whose bytes, least significant first, are `values`."""
    out = 0
    for k, byte in enumerate(values):
        out |= byte << (8 * k)
    return out


@dataclass(frozen=True)
class Layout:
    """Each location's bytes: base name -> (bytes of one cell, cells); a location that
    is no array has one cell."""

    cells: dict[str, tuple[int, int]]

    def size(self, base: str) -> int:
        cell, count = self.cells[base]
        return cell * count

    def cell_bytes(self, key: str) -> list[str]:
        """The byte locations of `x` or of array cell `t[i]`."""
        base, _, index = key.partition("[")
        cell, _ = self.cells[base]
        start = cell * int(index[:-1]) if index else 0
        return [byte_location(base, start + k) for k in range(cell)]

    def cell_of(self, loc: str) -> tuple[str, int]:
        """The location (base, cell index) a byte location belongs to."""
        base, offset = split_byte_location(loc)
        return base, offset // self.cells[base][0]

    def init_patterns(self, init_memory: dict[str, object]) -> dict[str, set[Pattern]]:
        """Each location's initial writes, one per location or array cell."""
        out: dict[str, set[Pattern]] = {base: set() for base in self.cells}
        for key, value in init_memory.items():
            base, _, index = key.partition("[")
            cell = self.cells[base][0]
            assert isinstance(value, int)  # init_bytes refused others
            out[base].add((cell * int(index[:-1]) if index else 0, cell, value, -1, -1))
        return out

    def init_bytes(self, init_memory: dict[str, object], file: str) -> dict[str, int]:
        """The initial bytes of every location, from each location's (or cell's) value."""
        out: dict[str, int] = {}
        for key, value in init_memory.items():
            if not isinstance(value, int):
                raise LitmusError(f"location {key} starts with {value}: mixed-size accesses "
                                  f"to a location holding an address are not supported yet", file)
            locs = self.cell_bytes(key)
            out.update(zip(locs, explode(value, len(locs))))
        return out

    def assemble(self, memory: dict[str, object], keys) -> dict[str, object]:
        """The value of each location or cell of `keys` from the bytes of `memory`."""
        return {key: recompose([memory[loc] for loc in self.cell_bytes(key)])  # type: ignore[misc]
                for key in keys}
