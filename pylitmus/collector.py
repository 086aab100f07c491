"""How often Python's cyclic garbage collector runs while tests are checked (kept apart
from the command line so that a batch run as a library need not import click)."""

from __future__ import annotations

import gc

GC_THRESHOLD = 10_000  # allocations between collections of the youngest objects (700 by default)
TESTS_PER_FULL_COLLECTION = 1000  # tests between two looks for cycles among all objects
_tests_ended = [0]


def collect_less() -> None:
    """Run Python's cyclic garbage collector less often, and never over the objects that
    exist now (call it once the checker is imported; worker processes inherit both).
    Checking allocates many objects and leaves few cycles: with the default thresholds
    collecting took nearly a tenth of a batch's time, and going over the modules' objects
    (again in the collection as the process ends) a tenth of a one-test run's."""
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 10, 10)
    gc.enable()


def test_ended() -> None:
    """After a test of a batch: what outlives a test is what the caches keep of it (thread
    runs, parsed cells, compiled conditions), so no collection goes over it again. A test
    that raised may leave a cycle (an exception and its frames): every
    TESTS_PER_FULL_COLLECTION tests, one collection goes over every object."""
    _tests_ended[0] += 1
    if _tests_ended[0] % TESTS_PER_FULL_COLLECTION == 0:
        gc.unfreeze()
        gc.collect()
    gc.freeze()
