"""Keeping a long-lived process's start-up heap out of the way: of the garbage collector, and of
the machine's memory."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging

log = logging.getLogger(__name__)


def settle_heap() -> None:
    """Move every object alive now (libraries, the guard's models: hundreds of thousands of objects
    that live as long as the process) out of the garbage collector's sight. A full collection
    walks all of them, holding every thread of the process for a few hundred milliseconds on this
    heap; under load the collector starts one every so often, and every answer waits behind it.
    What is allocated later is collected as usual.

    Then hand the heap freed since start-up back to the system: loading the injection model parses
    tens of megabytes of JSON that are garbage a moment later, and glibc keeps such pages resident
    unless asked, in every web and worker process."""
    gc.collect()
    gc.freeze()
    _trim_malloc_heap()


def _trim_malloc_heap() -> None:
    library = ctypes.util.find_library("c")
    if library is None:
        return
    try:
        trim = ctypes.CDLL(library).malloc_trim
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to hand back this way
        log.debug("malloc_trim is not available; the start-up heap stays as it is")
        return
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    trim(0)
