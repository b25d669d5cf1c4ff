"""What the model is asked: the organization's kit in the system instruction, its style line at the
end of an image prompt, none of it for `--plain`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from types import SimpleNamespace

from bot.brand import BrandPart, BrandService
from bot.orgs.service import load_org_policy
from bot.routing.catalogue import shorthand_catalogue
from db.engine import Database
from db.models import Job, JobKind
from tests.support.fakes import RecordingImagePipeline
from tests.support.rows import job_to_generate
from workers.generation import SYSTEM_INSTRUCTION, generate_content
from workers.providers import TextRequest, TextResult
from workers.providers.context_cache import ContextCaches


class RecordingRouter:
    models = ("fake-model",)

    def __init__(self) -> None:
        self.requests: list[TextRequest] = []

    def healthy(self, model: str) -> bool:
        return True

    async def generate_text(self, request: TextRequest, *, models: Sequence[str] | None = None) -> TextResult:
        self.requests.append(request)
        return TextResult("Tea time.", "fake-model", "fake", 10, 3, "STOP", 1)


def _job(org_id: uuid.UUID, *, brand_voice: bool) -> Job:
    return job_to_generate(org_id, "a haiku about tea", brand_voice=brand_voice)


async def test_text_jobs_carry_the_kit_after_the_rules_and_plain_jobs_do_not(
    app_db: Database, org_id: uuid.UUID
) -> None:
    policy = await load_org_policy(app_db, org_id)
    await BrandService(app_db).set_part(org_id, BrandPart.TONE, "dry, understated wit", actor="UADMIN", policy=policy)
    router = RecordingRouter()
    # The recording router's provider has no context caches: the instruction is sent whole.
    context = SimpleNamespace(
        router=router,
        runtime=SimpleNamespace(database=app_db),
        context_caches=ContextCaches(router, None),
        models=shorthand_catalogue(router.models),
        latency=None,
    )

    await generate_content(context, _job(org_id, brand_voice=True), {})
    await generate_content(context, _job(org_id, brand_voice=False), {})

    branded, plain = (request.system_instruction for request in router.requests)
    assert branded.startswith(SYSTEM_INSTRUCTION) and "Tone: dry, understated wit" in branded
    assert branded.index("Tone:") < branded.index("Internal marker")  # the canary still closes it
    assert "dry, understated wit" not in plain and plain.startswith(SYSTEM_INSTRUCTION)


async def test_image_prompts_end_with_the_kits_style_line_and_plain_ones_do_not(
    app_db: Database, org_id: uuid.UUID
) -> None:
    policy = await load_org_policy(app_db, org_id)
    brand = BrandService(app_db)
    await brand.set_part(org_id, BrandPart.TONE, "warm and plain-spoken", actor="UADMIN", policy=policy)
    await brand.set_part(org_id, BrandPart.AUDIENCE, "tea lovers", actor="UADMIN", policy=policy)
    pipeline = RecordingImagePipeline()
    context = SimpleNamespace(runtime=SimpleNamespace(database=app_db), image_provider=pipeline, image_router=None)

    for brand_voice in (True, False):
        job = job_to_generate(org_id, "a teapot on a windowsill", brand_voice=brand_voice, seed=7)
        job.kind = JobKind.IMAGE
        await generate_content(context, job, {})

    branded, plain = [request.prompt for request in pipeline.drawn]
    assert branded == "a teapot on a windowsill. Style: warm and plain-spoken, for tea lovers"
    assert plain == "a teapot on a windowsill"
