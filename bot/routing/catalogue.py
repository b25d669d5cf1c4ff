"""The model catalogue: every model the router may use, with its provider, prices and limits.

``MODEL_CATALOGUE`` holds a small YAML or JSON document, or the path of a file holding one::

    currency: USD
    models:
      - name: flash                      # what policies and the ledger call it
        provider: gemini                 # gemini | openai | diffusers | gemini-image
        model: gemini-2.5-flash          # the provider's own id
        api_key_env: GEMINI_API_KEY      # the variable holding its key (never the key itself)
        price: {input: 0.30, output: 2.50, cached_input: 0.03}   # per million tokens
        context_tokens: 1048576
        region: us
        limits: {rpm: 1000, tpm: 1000000}
      - name: llama-70b
        provider: openai                 # any OpenAI-compatible endpoint: OpenAI, vLLM, llama.cpp, Ollama
        model: meta-llama/Llama-3.3-70B-Instruct
        base_url: http://vllm.internal:8000/v1
        api_key_env: VLLM_API_KEY
        price: {input: 0.20, output: 0.20}
        region: eu

Without it, ``GEMINI_MODELS`` is the shorthand it always was: those Gemini models in that order,
unpriced. Prices are decimals read from their text, never floats; money is counted in millionths
of the catalogue's currency (``bot.routing.pricing``).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

TEXT_PROVIDERS = frozenset({"gemini", "openai"})
IMAGE_PROVIDERS = frozenset({"diffusers", "gemini-image"})
# Names appear in Slack commands, audit events and ledger rows: short and plain.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$"
MAX_MODELS = 64
ZERO = Decimal(0)


class CatalogueError(ValueError):
    """The catalogue cannot be read; the message says where and fits on one line."""


def _decimal(value: object) -> Decimal:
    """A price from its text: YAML's 0.30 is the float 0.3, whose repr is the decimal meant."""
    if isinstance(value, bool):
        raise ValueError("a price is a number")
    try:
        price = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"{value!r} is not a number") from exc
    if not price.is_finite() or price < 0:
        raise ValueError("a price is a number of at least 0")
    return price


class _Price(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: Decimal = ZERO
    output: Decimal = ZERO
    cached_input: Decimal | None = None
    image: Decimal = ZERO  # per image, for image models

    @field_validator("input", "output", "cached_input", "image", mode="before")
    @classmethod
    def _price(cls, value: object) -> Decimal | None:
        return None if value is None else _decimal(value)


class _Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rpm: int | None = Field(default=None, gt=0)
    tpm: int | None = Field(default=None, gt=0)


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str = Field(pattern=NAME_PATTERN)
    provider: Literal["gemini", "openai", "diffusers", "gemini-image"]
    model: str | None = Field(default=None, min_length=1, max_length=256)
    base_url: str | None = None
    api_key_env: str | None = Field(default=None, pattern=r"^[A-Z_][A-Z0-9_]*$")
    price: _Price = Field(default_factory=_Price)
    context_tokens: int | None = Field(default=None, gt=0)
    region: str | None = Field(default=None, max_length=32)
    limits: _Limits = Field(default_factory=_Limits)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("base_url must be an http(s) URL")
        return value or None

    @model_validator(mode="after")
    def _openai_needs_url_or_key(self) -> _Entry:
        if self.provider == "openai" and not (self.base_url or self.api_key_env):
            raise ValueError("an openai model needs base_url (self-hosted) or api_key_env (OpenAI itself)")
        return self

    @model_validator(mode="after")
    def _no_imagen(self) -> _Entry:
        # google-genai draws with Imagen (generate_images) only on Vertex AI, never with an API key.
        if self.provider == "gemini-image" and (self.model or "").startswith("imagen"):
            raise ValueError(
                "gemini-image draws with a Gemini image model (gemini-2.5-flash-image); Imagen is not offered"
            )
        return self


class _Document(BaseModel):
    model_config = ConfigDict(extra="forbid")

    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    models: list[_Entry] = Field(min_length=1, max_length=MAX_MODELS)


@dataclass(frozen=True)
class ModelSpec:
    """One model as the router sees it. Prices are per million tokens (per image for images)."""

    name: str
    provider: str
    model_id: str
    base_url: str | None = None
    api_key_env: str | None = None
    input_price: Decimal = ZERO
    output_price: Decimal = ZERO
    cached_input_price: Decimal | None = None
    image_price: Decimal = ZERO
    context_tokens: int | None = None
    region: str | None = None
    requests_per_minute: int | None = None
    tokens_per_minute: int | None = None
    # With REGIONS: whether the model's region is the process's (``Catalogue.for_region``). A model
    # of another region, or of none, answers only organizations whose policy names it.
    in_region: bool = True

    @property
    def kind(self) -> str:
        return "image" if self.provider in IMAGE_PROVIDERS else "text"

    @property
    def priced(self) -> bool:
        return bool(self.input_price or self.output_price or self.image_price)

    def api_key(self, environ: Mapping[str, str] | None = None) -> str | None:
        if not self.api_key_env:
            return None
        return (os.environ if environ is None else environ).get(self.api_key_env) or None


@dataclass(frozen=True)
class Catalogue:
    models: tuple[ModelSpec, ...]
    currency: str = "USD"
    # Built from GEMINI_MODELS: today's single-provider failover list, unpriced.
    shorthand: bool = False

    def __post_init__(self) -> None:
        names = [spec.name for spec in self.models]
        if len(set(names)) != len(names):
            raise CatalogueError("MODEL_CATALOGUE: two models share a name")

    def for_region(self, region: str) -> Catalogue:
        """The catalogue as region ``region``'s processes route over it."""
        return dataclasses.replace(
            self, models=tuple(dataclasses.replace(spec, in_region=spec.region == region) for spec in self.models)
        )

    def get(self, name: str) -> ModelSpec | None:
        return next((spec for spec in self.models if spec.name == name), None)

    def of_kind(self, kind: str) -> tuple[ModelSpec, ...]:
        return tuple(spec for spec in self.models if spec.kind == kind)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.models)

    @property
    def priced(self) -> bool:
        return any(spec.priced for spec in self.models)


def shorthand_catalogue(gemini_models: Sequence[str], *, base_url: str | None = None) -> Catalogue:
    """``GEMINI_MODELS`` as a catalogue: the same models, in the same order, through one key."""
    return Catalogue(
        tuple(
            ModelSpec(name=model, provider="gemini", model_id=model, base_url=base_url, api_key_env="GEMINI_API_KEY")
            for model in gemini_models
        ),
        shorthand=True,
    )


def read_document(value: str) -> str:
    """The catalogue's text: the value itself, or the file it names."""
    text = value.strip()
    if "\n" not in text and not text.startswith(("{", "[")) and ":" not in text.split("/")[0]:
        path = Path(text).expanduser()
        try:
            return path.read_text(encoding="utf-8")
        except OSError as exc:
            raise CatalogueError(f"MODEL_CATALOGUE: cannot read {path} ({exc.strerror or exc})") from exc
    return text


def parse_catalogue(value: str) -> Catalogue:
    """Read and check a catalogue; a ``CatalogueError`` names the first thing wrong."""
    try:
        data: Any = yaml.safe_load(read_document(value))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"MODEL_CATALOGUE: not YAML or JSON ({type(exc).__name__})") from exc
    try:
        document = _Document.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "document"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise CatalogueError(f"MODEL_CATALOGUE: {where}: {message}") from None
    return Catalogue(
        tuple(
            ModelSpec(
                name=entry.name,
                provider=entry.provider,
                model_id=entry.model or entry.name,
                base_url=entry.base_url,
                api_key_env=entry.api_key_env,
                input_price=entry.price.input,
                output_price=entry.price.output,
                cached_input_price=entry.price.cached_input,
                image_price=entry.price.image,
                context_tokens=entry.context_tokens,
                region=entry.region,
                requests_per_minute=entry.limits.rpm,
                tokens_per_minute=entry.limits.tpm,
            )
            for entry in document.models
        ),
        currency=document.currency,
    )
