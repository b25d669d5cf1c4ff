"""Keeping a long-lived process's start-up heap out of the garbage collector's way."""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Move every object alive now (libraries, the guard's models: hundreds of thousands of objects
    that live as long as the process) out of the garbage collector's sight. A full collection
    walks all of them, holding every thread of the process for a few hundred milliseconds on this
    heap; under load the collector starts one every so often, and every answer waits behind it.
    What is allocated later is collected as usual."""
    gc.collect()
    gc.freeze()
