"""Reading and changing an organization's brand kit: guarded, masked, versioned, audited.

Every change goes through the guard like a prompt (a kit is text that reaches the model on every
job), is stored masked, bumps the kit's version (result cache keys carry it) and is audited with
the masked text. A change that changes nothing (a double submit) keeps the version and writes no
event. Clearing keeps the row with its version, so a later kit never reuses an old version number.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from bot.brand.kit import MAX_EXAMPLES, BrandKit, BrandPart, check_length, read_words
from bot.errors import BadInput, PromptBlocked
from bot.guard import get_guard
from bot.guard.executor import check_prompt_off_loop
from bot.orgs.service import OrgPolicy
from db.audit import record_event
from db.engine import Database
from db.models import BrandKit as BrandKitRow


@dataclass(frozen=True)
class BrandDraft:
    """A whole kit as the App Home modal submits it: parts left empty are cleared."""

    tone: str = ""
    audience: str = ""
    words_to_use: str = ""  # comma-separated
    words_to_avoid: str = ""
    examples: tuple[str, ...] = ()


async def load_brand_kit(database: Database, org_id: uuid.UUID) -> BrandKit:
    """The organization's kit (version 0 and empty when none was ever written)."""
    async with database.tenant(org_id) as session:
        row = (await session.execute(select(BrandKitRow))).scalar_one_or_none()
    return _kit_of(row)


@dataclass
class BrandService:
    database: Database

    async def show(self, org_id: uuid.UUID) -> BrandKit:
        return await load_brand_kit(self.database, org_id)

    async def set_part(
        self, org_id: uuid.UUID, part: BrandPart, text: str, *, actor: str, policy: OrgPolicy
    ) -> BrandKit:
        """Set one part (``example`` adds one); the text is checked, guarded and masked first."""
        text = check_length(part, text)
        if part in (BrandPart.USE, BrandPart.AVOID):
            words = read_words(text, part)
            masked_words = tuple((await self._guarded(org_id, "\n".join(words), actor, policy)).split("\n"))
            if len(masked_words) != len(words):  # masking never joins lines; stay safe if it did
                masked_words = tuple([await self._guarded(org_id, w, actor, policy) for w in words])
            new_words = masked_words
            return await self._change(
                org_id,
                actor,
                part,
                lambda kit: kit.with_part(part, new_words),
                masked_text=", ".join(masked_words),
            )
        masked = await self._guarded(org_id, text, actor, policy)
        if part is BrandPart.EXAMPLE:
            return await self._change(org_id, actor, part, lambda kit: _add_example(kit, masked), masked_text=masked)
        return await self._change(org_id, actor, part, lambda kit: kit.with_part(part, masked), masked_text=masked)

    async def replace_kit(self, org_id: uuid.UUID, draft: BrandDraft, *, actor: str, policy: OrgPolicy) -> BrandKit:
        """The whole kit at once (the modal); every part is checked before anything is stored."""
        if len(draft.examples) > MAX_EXAMPLES:
            raise BadInput(f"A brand kit holds at most {MAX_EXAMPLES} example posts.")
        tone = check_length(BrandPart.TONE, draft.tone) if draft.tone.strip() else ""
        audience = check_length(BrandPart.AUDIENCE, draft.audience) if draft.audience.strip() else ""
        use = read_words(draft.words_to_use, BrandPart.USE) if draft.words_to_use.strip() else ()
        avoid = read_words(draft.words_to_avoid, BrandPart.AVOID) if draft.words_to_avoid.strip() else ()
        examples = tuple(check_length(BrandPart.EXAMPLE, e) for e in draft.examples if e.strip())
        texts = [tone, audience, *use, *avoid, *examples]
        masked = [await self._guarded(org_id, text, actor, policy) if text else "" for text in texts]
        at = iter(masked)
        tone, audience = next(at), next(at)
        new = BrandKit(
            tone=tone,
            audience=audience,
            words_to_use=tuple(next(at) for _ in use),
            words_to_avoid=tuple(next(at) for _ in avoid),
            examples=tuple(next(at) for _ in examples),
        )
        return await self._change(org_id, actor, None, lambda kit: replace(new, version=kit.version), masked_text=None)

    async def clear(self, org_id: uuid.UUID, part: BrandPart | None, *, actor: str) -> BrandKit:
        """Clear the whole kit (``part`` None) or one part of it."""

        def cleared(kit: BrandKit) -> BrandKit:
            if part is None:
                return BrandKit(version=kit.version)
            return kit.with_part(part, "" if part in (BrandPart.TONE, BrandPart.AUDIENCE) else ())

        return await self._change(org_id, actor, part, cleared, masked_text=None, action="brand.cleared")

    async def _guarded(self, org_id: uuid.UUID, text: str, actor: str, policy: OrgPolicy) -> str:
        """The masked text, or PromptBlocked (audited with masked text only) for the admin."""
        try:
            return (await check_prompt_off_loop(text, threshold=policy.injection_threshold)).masked_text
        except PromptBlocked as blocked:
            async with self.database.tenant(org_id) as session:
                await record_event(
                    session,
                    org_id,
                    "guard.blocked",
                    actor=actor,
                    detail={
                        "source": "brand_kit",
                        "category": blocked.category,
                        "rules": list(blocked.rule_ids),
                        "masked_text": blocked.masked_text or get_guard().mask(text).text,
                    },
                )
            raise

    async def _change(
        self,
        org_id: uuid.UUID,
        actor: str,
        part: BrandPart | None,
        change: Callable[[BrandKit], BrandKit],
        *,
        masked_text: str | None,
        action: str = "brand.set",
    ) -> BrandKit:
        async with self.database.tenant(org_id) as session:
            row = (await session.execute(select(BrandKitRow).with_for_update())).scalar_one_or_none()
            current = _kit_of(row)
            wanted = change(current)
            if wanted.same_content(current):
                return current  # a double submit, or nothing to clear: no new version, no event
            new = replace(wanted, version=current.version + 1)
            values = {
                "version": new.version,
                "tone": new.tone,
                "audience": new.audience,
                "words_to_use": list(new.words_to_use),
                "words_to_avoid": list(new.words_to_avoid),
                "examples": list(new.examples),
                "updated_by": actor,
            }
            await session.execute(
                insert(BrandKitRow)
                .values(org_id=org_id, **values)
                .on_conflict_do_update(index_elements=["org_id"], set_=values)
            )
            detail: dict[str, object] = {"part": str(part) if part else "all", "version": new.version}
            if masked_text is not None:
                detail["masked_text"] = masked_text
            await record_event(session, org_id, action, actor=actor, detail=detail)
        return new


def _add_example(kit: BrandKit, example: str) -> BrandKit:
    if example in kit.examples:
        return kit
    if len(kit.examples) >= MAX_EXAMPLES:
        raise BadInput(
            f"The kit has {MAX_EXAMPLES} example posts already; `/content brand clear examples` removes them."
        )
    return replace(kit, examples=(*kit.examples, example))


def _kit_of(row: BrandKitRow | None) -> BrandKit:
    if row is None:
        return BrandKit()
    return kit_from_columns({name: getattr(row, name) for name in BRAND_KIT_COLUMNS})


# What a kit is made of, however it was read (``kit_from_columns``): the ORM row, or the columns
# of a statement that reads the kit beside other things (a worker's claim).
BRAND_KIT_COLUMNS = ("version", "tone", "audience", "words_to_use", "words_to_avoid", "examples")


def kit_from_columns(columns: Mapping[str, Any]) -> BrandKit:
    """The kit from its ``BRAND_KIT_COLUMNS``; no kit (version None: no row) is the empty one. A
    list column read by the plain driver arrives as its JSON text."""
    if columns["version"] is None:
        return BrandKit()

    def words(name: str) -> tuple[str, ...]:
        value = columns[name]
        return tuple(json.loads(value) if isinstance(value, str) else value)

    return BrandKit(
        version=columns["version"],
        tone=columns["tone"],
        audience=columns["audience"],
        words_to_use=words("words_to_use"),
        words_to_avoid=words("words_to_avoid"),
        examples=words("examples"),
    )
