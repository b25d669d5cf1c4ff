"""The web tier builds its guard on a thread and checks each prompt in a copy of its request's
context. thinc keeps its numeric backend in a context variable that neither ever sets, so without
care every model call looked the backend up again in thinc's registry (about a millisecond of a
2,000-character prompt's CPU)."""

from __future__ import annotations

import contextvars

import pytest
import thinc.backends

from bot.guard import Guard


def test_a_prompt_checked_in_a_fresh_context_does_not_look_the_backend_up_again(
    guard: Guard, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: list[str] = []
    real_get_ops = thinc.backends.get_ops

    def counted_get_ops(name: str, **kwargs: object) -> thinc.backends.Ops:
        lookups.append(name)
        return real_get_ops(name, **kwargs)

    monkeypatch.setattr(thinc.backends, "get_ops", counted_get_ops)
    # A context where thinc's variable was never set, as in a request's copy of the web loop's.
    fresh = contextvars.Context()
    for city in ("Gdansk", "Kumasi", "Sapporo"):
        masked = fresh.run(guard.mask, f"Ask Rahul Mehta from our {city} office to host it.").text
        assert "Mehta" not in masked

    assert lookups == []
