"""Where the web tier runs the guard: on a thread pool sized to the cores this process may use,
never on the event loop.

The guard's analysis (pattern recognizers today; a NER model and a learned injection model as it
grows) is CPU work of milliseconds to tens of milliseconds per prompt. On the event loop it would
hold up every other request of the process, the ack watchdog's timer included; on a thread the
loop keeps answering while prompts are checked (the heavy libraries release the GIL in their
numeric parts, and the process count of ``serve --workers`` gives the rest of the parallelism).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from concurrent.futures import ThreadPoolExecutor

from bot.guard import GuardedPrompt, get_guard
from bot.process.cores import available_cores

_executor: ThreadPoolExecutor | None = None
_threads = 1
_lock = threading.Lock()


def size_guard_threads(processes: int) -> None:
    """Share the cores among ``processes`` web processes: each gets cores // processes threads (at
    least one). Call before the first prompt is checked."""
    global _threads
    with _lock:
        _threads = max(1, available_cores() // max(1, processes))


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=_threads, thread_name_prefix="guard")
        return _executor


def _check(text: str, threshold: float | None) -> GuardedPrompt:
    return get_guard().check_prompt(text, threshold=threshold)


async def check_prompt_off_loop(text: str, *, threshold: float | None) -> GuardedPrompt:
    """``get_guard().check_prompt`` on the guard's thread pool; ``PromptBlocked`` passes through.
    The request's context goes along, so the guard's log lines carry its trace id."""
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(_pool(), context.run, _check, text, threshold)


def _mask(text: str) -> str:
    return get_guard().mask(text).text


async def mask_off_loop(text: str) -> str:
    """Free text a person typed (a feedback reason, say) with its personal data masked, off the loop."""
    context = contextvars.copy_context()
    return await asyncio.get_running_loop().run_in_executor(_pool(), context.run, _mask, text)


def shutdown_guard_threads() -> None:
    global _executor
    with _lock:
        if _executor is not None:
            _executor.shutdown(wait=False, cancel_futures=True)
            _executor = None
