"""How often Python's cyclic garbage collector runs while tests are checked (kept apart
from the command line so that a batch run as a library need not import click)."""

from __future__ import annotations

import gc

GC_THRESHOLD = 10_000  # allocations between collections of the youngest objects (700 by default)


def collect_less() -> None:
    """Run Python's cyclic garbage collector less often, and never over the objects that
    exist now (call it once the checker is imported; worker processes inherit both).
    Checking allocates many objects and leaves few cycles: with the default thresholds
    collecting took nearly a tenth of a batch's time, and going over the modules' objects
    (again in the collection as the process ends) a tenth of a one-test run's."""
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 10, 10)
    gc.enable()
