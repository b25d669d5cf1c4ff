"""The model catalogue as a setting, money from the price table, and the choice among models."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from bot.process.settings import ConfigError, load_settings
from bot.routing.catalogue import Catalogue, CatalogueError, ModelSpec, parse_catalogue
from bot.routing.latency import WINDOW, LatencyBoard
from bot.routing.policy import RoutingPolicy, Strategy, candidate_order, routing_policy_of
from bot.routing.pricing import cost_micros, format_money, parse_money, worst_case_micros

YAML = """
currency: EUR
models:
  - name: flash
    provider: gemini
    model: gemini-2.5-flash
    api_key_env: GEMINI_API_KEY
    price: {input: 0.30, output: 2.50, cached_input: 0.03}
    context_tokens: 1048576
    region: eu
    limits: {rpm: 100, tpm: 50000}
  - name: llama
    provider: openai
    base_url: http://vllm.internal:8000/v1
    price: {input: 0.10, output: 0.20}
  - name: sd
    provider: diffusers
    model: runwayml/stable-diffusion-v1-5
    price: {image: 0.002}
"""


def model(name: str, input_price: str, output_price: str) -> ModelSpec:
    return ModelSpec(name, "openai", name, input_price=Decimal(input_price), output_price=Decimal(output_price))


def test_a_yaml_catalogue_keeps_prices_as_decimals_and_every_field() -> None:
    catalogue = parse_catalogue(YAML)
    flash = catalogue.get("flash")
    assert flash is not None
    assert (flash.input_price, flash.output_price, flash.cached_input_price) == (
        Decimal("0.3"),
        Decimal("2.5"),
        Decimal("0.03"),
    )
    assert (flash.region, flash.context_tokens, flash.requests_per_minute, flash.tokens_per_minute) == (
        "eu",
        1048576,
        100,
        50000,
    )
    assert catalogue.currency == "EUR"
    assert [spec.name for spec in catalogue.of_kind("text")] == ["flash", "llama"]
    assert [spec.name for spec in catalogue.of_kind("image")] == ["sd"]
    assert catalogue.get("llama").model_id == "llama"


def test_a_json_document_and_a_file_path_read_the_same(tmp_path: Path) -> None:
    import yaml

    document = json.dumps(yaml.safe_load(YAML))
    path = tmp_path / "models.yaml"
    path.write_text(YAML, encoding="utf-8")
    assert parse_catalogue(document) == parse_catalogue(str(path)) == parse_catalogue(YAML)


@pytest.mark.parametrize(
    ("document", "named"),
    [
        ("models: []", "models"),
        ("models: [{name: a, provider: nope}]", "models.0.provider"),
        ("models: [{name: a, provider: openai}]", "base_url"),
        ("models: [{name: a, provider: gemini, price: {input: -1}}]", "models.0.price.input"),
        ("models: [{name: 'a b', provider: gemini}]", "models.0.name"),
        ("models: [{name: a, provider: gemini, secret: x}]", "models.0.secret"),
        ("models: [{name: a, provider: gemini-image, model: imagen-4.0-generate-001}]", "Imagen is not offered"),
        ("[unclosed", "not YAML or JSON"),
        ("/nowhere/models.yaml", "cannot read"),
    ],
)
def test_a_wrong_catalogue_is_refused_naming_what_is_wrong(document: str, named: str) -> None:
    with pytest.raises(CatalogueError) as error:
        parse_catalogue(document)
    assert named in str(error.value)


def test_a_wrong_catalogue_stops_the_process_with_one_line() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(_env_file=None, model_catalogue="models: [{name: a, provider: nope}]")
    assert str(error.value).startswith("MODEL_CATALOGUE: ")
    assert "\n" not in str(error.value)


def test_gemini_models_stays_the_shorthand_without_a_catalogue() -> None:
    catalogue = load_settings(_env_file=None, gemini_models="m1,m2").catalogue()
    assert catalogue.shorthand
    assert [(spec.name, spec.provider, spec.model_id) for spec in catalogue.models] == [
        ("m1", "gemini", "m1"),
        ("m2", "gemini", "m2"),
    ]
    assert not catalogue.priced


def test_two_models_may_not_share_a_name() -> None:
    with pytest.raises(CatalogueError):
        Catalogue((model("a", "1", "1"), model("a", "2", "2")))


def test_cost_is_integer_millionths_rounded_half_up_once_per_call() -> None:
    spec = ModelSpec("m", "openai", "m", input_price=Decimal("0.15"), output_price=Decimal("0.6"))
    assert cost_micros(spec, 1, 0) == 0  # 0.15 millionths
    assert cost_micros(spec, 10, 1) == 2  # 1.5 + 0.6 = 2.1
    assert cost_micros(spec, 1_000_000, 1_000_000) == 750_000  # $0.75
    cached = ModelSpec("c", "gemini", "c", input_price=Decimal("1"), cached_input_price=Decimal("0.1"))
    assert cost_micros(cached, 100, 0, cached_input_tokens=60) == 46


def test_money_is_shown_in_cents_never_rounded_down_and_parsed_exactly() -> None:
    assert format_money(1_234_567, "USD") == "$1.24"
    assert format_money(0, "EUR") == "€0.00"
    assert format_money(10_000_000, "CHF") == "10.00 CHF"
    assert parse_money("$1,250.50") == 1_250_500_000
    assert parse_money("0.000001") == 1
    for wrong in ("-1", "abc", "1.0000001", "nan"):
        with pytest.raises(ValueError):
            parse_money(wrong)


def test_the_reservation_is_for_the_dearest_model_that_may_answer() -> None:
    specs = [model("cheap", "0.1", "0.1"), model("dear", "10", "30")]
    assert worst_case_micros(specs, kind="text", input_tokens=100, output_tokens=1000) == 31_000
    assert worst_case_micros(specs[:1], kind="text", input_tokens=100, output_tokens=1000) == 110


def test_ordered_keeps_the_catalogue_order_of_the_allowed_models() -> None:
    specs = [model("a", "3", "3"), model("b", "1", "1"), model("c", "2", "2")]
    policy = RoutingPolicy(allowed=("c", "a"), strategy=Strategy.ORDERED)
    assert candidate_order(specs, policy) == ["a", "c"]


def test_cheapest_orders_by_the_estimated_tokens_price() -> None:
    # Cheap input but dear output against the reverse: which is cheaper depends on the job.
    specs = [model("long-in", "0.1", "10"), model("long-out", "5", "0.5")]
    policy = RoutingPolicy(strategy=Strategy.CHEAPEST)
    assert candidate_order(specs, policy, input_tokens=10_000, output_tokens=10)[0] == "long-in"
    assert candidate_order(specs, policy, input_tokens=10, output_tokens=10_000)[0] == "long-out"


def test_fastest_orders_by_median_and_tries_the_unmeasured_first() -> None:
    specs = [model("a", "1", "1"), model("b", "1", "1"), model("c", "1", "1")]
    policy = RoutingPolicy(strategy=Strategy.FASTEST)
    assert candidate_order(specs, policy, latencies={"a": 0.9, "b": 0.2, "c": None}) == ["c", "b", "a"]


def test_unhealthy_models_go_last_whatever_the_strategy() -> None:
    specs = [model("dear", "9", "9"), model("cheap", "1", "1")]
    policy = RoutingPolicy(strategy=Strategy.CHEAPEST)
    assert candidate_order(specs, policy, healthy=lambda name: name != "cheap") == ["dear", "cheap"]


def test_a_stored_policy_with_an_unknown_strategy_reads_as_ordered() -> None:
    assert routing_policy_of(None, "bogus") == RoutingPolicy()
    assert routing_policy_of(["a"], "fastest") == RoutingPolicy(("a",), Strategy.FASTEST)


def test_the_moving_median_follows_a_slowdown_within_half_a_window() -> None:
    board = LatencyBoard(None, ("a",))
    for _ in range(WINDOW):
        board.note("a", 0.1)
    for _ in range(WINDOW // 2):
        board.note("a", 1.0)
    assert board.medians()["a"] == 0.1
    board.note("a", 1.0)
    assert board.medians()["a"] == 1.0


def test_a_model_whose_context_the_job_would_exceed_is_left_out() -> None:
    small = ModelSpec("small", "openai", "small", context_tokens=4096)
    large = ModelSpec("large", "openai", "large", context_tokens=128_000)
    assert candidate_order([small, large], RoutingPolicy(), input_tokens=5000, output_tokens=1000) == ["large"]
    assert candidate_order([small, large], RoutingPolicy(), input_tokens=100, output_tokens=1000) == ["small", "large"]
