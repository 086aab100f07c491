"""How often Python's cyclic garbage collector runs while tests are checked (kept apart
from the command line so that a batch run as a library need not import click)."""

from __future__ import annotations

import gc
import sys

GC_THRESHOLD = 10_000  # allocations between collections of the youngest objects (700 by default)
TESTS_PER_LOOK = 100  # tests between two looks at the memory blocks Python has allocated
BLOCKS_BEFORE_FULL_COLLECTION = 1_000_000  # their growth before a collection over all objects
_tests_ended = [0]
_blocks_after_collection = [0]


def collect_less() -> None:
    """Run Python's cyclic garbage collector less often, and never over the objects that
    exist now (call it once the checker is imported; worker processes inherit both).
    Checking allocates many objects and leaves few cycles: with the default thresholds
    collecting took nearly a tenth of a batch's time, and going over the modules' objects
    (again in the collection as the process ends) a tenth of a one-test run's."""
    gc.freeze()
    _blocks_after_collection[0] = sys.getallocatedblocks()
    gc.set_threshold(GC_THRESHOLD, 10, 10)
    gc.enable()


def test_ended() -> None:
    """After a test of a batch: what outlives a test is what the caches keep of it (thread
    runs, parsed cells, compiled conditions, all bounded), so no collection goes over it
    again. Checking leaves no reference cycle; should one be left, the objects would grow:
    once they have grown by BLOCKS_BEFORE_FULL_COLLECTION (looked at every TESTS_PER_LOOK
    tests), one collection goes over every object."""
    _tests_ended[0] += 1
    if _tests_ended[0] % TESTS_PER_LOOK == 0 and sys.getallocatedblocks() \
            - _blocks_after_collection[0] > BLOCKS_BEFORE_FULL_COLLECTION:
        gc.unfreeze()
        gc.collect()
        _blocks_after_collection[0] = sys.getallocatedblocks()
    gc.freeze()
