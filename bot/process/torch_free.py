"""Keep PyTorch out of the processes that never run a diffusion model.

spaCy's thinc imports torch whenever it is installed (the ``image`` extra), though the guard's
pipelines run on numpy alone: in a web, text-worker or beat process that import costs about 1 s of
start-up and 180 MB of memory for nothing. With ``sys.modules["torch"] = None`` an ``import torch``
raises ImportError, which thinc reads as "torch is not installed".

A model chosen with ``PII_SPACY_MODEL`` may need torch (a transformer pipeline does), so then
nothing is kept out.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from bot.jobs.queueing import QUEUE_IMAGE

TORCH = "torch"


def runs_images(queues: Iterable[str]) -> bool:
    """Whether a worker consuming ``queues`` generates images in its own process: only an image-only
    worker does (given other queues too, the image queue gets a process of its own)."""
    families = {name.split(".", 1)[0] for name in queues}
    return families == {QUEUE_IMAGE}


def keep_torch_out(pii_spacy_model: str | None) -> bool:
    """Make torch unimportable in this process unless it is already loaded or the configured spaCy
    model may need it; returns whether it was kept out."""
    if pii_spacy_model or TORCH in sys.modules:
        return False
    sys.modules[TORCH] = None  # type: ignore[assignment]  # None blocks the import; typeshed allows modules only
    return True
