"""The model SDKs (openai, google-genai) load where a provider of theirs is built, not with the web
tier, the guard or the workers: they are the product's slowest imports after the guard's."""

from __future__ import annotations

import subprocess
import sys

SDKS = ("openai", "google.genai")

LOADED_AFTER_EACH_STEP = f"""
import sys
sys.modules["torch"] = None  # as the web and text processes start (bot.process.torch_free)

def loaded():
    print(" ".join(sdk for sdk in {SDKS!r} if sdk in sys.modules) or "none")

import bot.slack.server, bot.guard, workers.posting
loaded()
from workers.providers.router import TextRouter
TextRouter.from_settings(["gemini-2.5-flash"], None, None)
loaded()
TextRouter.from_settings(["gemini-2.5-flash"], "a-key", "http://127.0.0.1:9")
loaded()
"""


def test_sdks_load_only_when_a_provider_of_theirs_is_built() -> None:
    run = subprocess.run(
        [sys.executable, "-c", LOADED_AFTER_EACH_STEP], capture_output=True, text=True, check=True, timeout=120
    )

    imported, offline, gemini = run.stdout.strip().splitlines()[-3:]
    assert imported == "none"
    assert offline == "none"  # no key: the offline placeholder needs neither SDK
    assert gemini == "google.genai"
