"""With REGIONS, a region's router picks only that region's models, unless an organization's
policy names another explicitly."""

from __future__ import annotations

import json

from bot.process.settings import load_settings
from bot.routing.policy import RoutingPolicy, Strategy, candidate_order
from tests.support.regions import REGIONAL_CATALOGUE

REGIONS = json.dumps({"us": {"database_url": "postgresql://a@h/us"}, "eu": {"database_url": "postgresql://a@h/eu"}})


def catalogue_of(region: str | None):
    if region is None:
        return load_settings(
            _env_file=None, database_url="postgresql://a@h/x", model_catalogue=REGIONAL_CATALOGUE
        ).catalogue()
    settings = load_settings(
        _env_file=None, regions=REGIONS, default_region="us", region=region, model_catalogue=REGIONAL_CATALOGUE
    )
    return settings.catalogue()


def test_each_regions_router_picks_only_its_own_models() -> None:
    every = RoutingPolicy()
    assert candidate_order(catalogue_of("eu").models, every) == ["flash-eu"]
    assert candidate_order(catalogue_of("us").models, every) == ["flash-us"]
    cheapest = RoutingPolicy(None, Strategy.CHEAPEST)
    assert candidate_order(catalogue_of("eu").models, cheapest) == ["flash-eu"]


def test_a_model_of_another_region_answers_only_when_the_policy_names_it() -> None:
    named = RoutingPolicy(("flash-us", "flash-eu"))
    assert candidate_order(catalogue_of("eu").models, named) == ["flash-us", "flash-eu"]
    assert candidate_order(catalogue_of("eu").models, RoutingPolicy(("flash-eu",))) == ["flash-eu"]


def test_without_regions_every_model_may_answer() -> None:
    assert candidate_order(catalogue_of(None).models, RoutingPolicy()) == ["flash-us", "flash-eu"]


def test_a_regions_worker_tags_its_telemetry_with_the_region_and_nothing_else_without_regions() -> None:
    from bot.telemetry.metrics import REGION_ATTRIBUTE
    from bot.telemetry.setup import _resource

    tagged = _resource("content-factory-worker", {"REGIONS": REGIONS, "REGION": "eu"})
    assert tagged.attributes[REGION_ATTRIBUTE] == "eu"
    assert REGION_ATTRIBUTE not in _resource("content-factory-worker", {}).attributes
