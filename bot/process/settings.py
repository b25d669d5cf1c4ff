"""Process configuration: exactly the environment variables of the public contract."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Annotated, Any

from cryptography.fernet import Fernet
from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.process.regions import IMPLICIT_REGION, Region, normalize_database_url, parse_regions
from bot.routing.catalogue import Catalogue, parse_catalogue, shorthand_catalogue

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_GEMINI_MODELS = ("gemini-2.5-flash", "gemini-2.5-flash-lite")
# How long a claimed job stays a worker's without a heartbeat (the worker renews it every third).
DEFAULT_JOB_LEASE_SECONDS = 60.0
# How long a text job may take from claim to result (the soft limit Celery is given as well).
DEFAULT_JOB_TIME_LIMIT_SECONDS = 120.0
# A web process's database connections, all kept open (see ``Runtime.for_web``): as many as the
# default pool holds at its fullest (10 and 10 overflow), so PostgreSQL sees no more than before.
DEFAULT_WEB_DATABASE_POOL_SIZE = 20


class ConfigError(Exception):
    """A wrong or missing variable; the message names it and fits on one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    database_url: str | None = None
    database_admin_url: str | None = None
    redis_url: str | None = None
    slack_signing_secret: str | None = None
    slack_bot_token: str | None = None
    slack_client_id: str | None = None
    slack_client_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    gemini_api_key: str | None = None
    gemini_base_url: str | None = None
    gemini_models: Annotated[tuple[str, ...], NoDecode] = DEFAULT_GEMINI_MODELS
    # Each model's quota, shared by every worker (unset: no limit of our own).
    gemini_requests_per_minute: int | None = Field(default=None, gt=0)
    gemini_tokens_per_minute: int | None = Field(default=None, gt=0)
    diffusion_model: str | None = None
    # The model catalogue (a YAML/JSON document or a file's path); unset: GEMINI_MODELS, unpriced.
    model_catalogue: str | None = None
    token_encryption_key: str | None = None
    pii_spacy_model: str | None = None
    # A model asked about prompts scored just under the injection threshold; unset: no judge.
    guard_judge_model: str | None = None
    guard_judge_timeout_seconds: float = Field(default=3.0, gt=0, le=30)
    scheduler_tick_seconds: float = Field(default=30.0, gt=0, le=3600)
    # How long before its due time a scheduled run is generated (then held and posted on time); 0: at the due time.
    schedule_warm_lead_minutes: float = Field(default=10.0, ge=0, le=120)
    # The same for image runs (a diffusion job takes minutes where text takes seconds); inside the
    # organization's off-peak window, image runs due within a day are generated at once.
    schedule_image_warm_lead_minutes: float = Field(default=60.0, ge=0, le=720)
    # Popular image prompts pre-generated off-peak per organization and UTC day (organizations that
    # turned it on), taken from its image requests of the last POPULAR_IMAGES_LOOKBACK_DAYS.
    popular_images_per_day: int = Field(default=5, ge=0, le=100)
    popular_images_lookback_days: int = Field(default=28, ge=1, le=90)
    # The shortest time between two runs of one schedule, and how many active schedules one person may have.
    schedule_min_interval_minutes: int = Field(default=15, ge=1, le=1440)
    schedules_max_per_user: int = Field(default=5, ge=1, le=1000)
    port: int = Field(default=3000, ge=1, le=65535)
    # Commands one web process works on at once; beyond it new ones are answered "busy" at once.
    web_max_pending_commands: int = Field(default=50, ge=1, le=100_000)
    # A slash command that waited this long in the queues before its handler started is answered
    # "busy" at once: served, it would answer late and make every command behind it later still.
    web_max_request_wait_seconds: float = Field(default=0.25, gt=0, le=2.0)
    # Database connections each web process opens at start and keeps (``Runtime.for_web``): with
    # `serve --workers N`, N times this, and twice that while a graceful restart overlaps the old
    # processes with the new; a server with few connection slots wants it lower.
    web_database_pool_size: int = Field(default=DEFAULT_WEB_DATABASE_POOL_SIZE, ge=1, le=500)
    # Operations knobs. A job whose worker died goes back to the queue within one lease.
    job_lease_seconds: float = Field(default=DEFAULT_JOB_LEASE_SECONDS, ge=1, le=3600)
    job_time_limit_seconds: float = Field(default=DEFAULT_JOB_TIME_LIMIT_SECONDS, ge=1, le=3600)
    # Pending approvals expire after this long (default 7 days; at most a year).
    approval_expiry_hours: float = Field(default=168.0, gt=0, le=8760)
    # How long a stored result may be reused by an identical request (organizations that opted in).
    result_cache_ttl_seconds: int = Field(default=86_400, ge=60, le=30 * 86_400)
    # Active schedules one organization may have.
    schedules_max_active: int = Field(default=25, ge=1, le=10_000)
    # `content-factory dev` marks its children: they log for a terminal instead of a collector.
    content_factory_dev: bool = False
    # Data residency (bot/process/regions.py): each region's databases and Redis, the region new
    # organizations and the directory live in, and the region this process serves (worker, beat:
    # `--region`). Unset: one implicit region of DATABASE_URL, DATABASE_ADMIN_URL and REDIS_URL.
    regions: str | None = None
    default_region: str | None = None
    region: str | None = None
    # REDIS_URL as set: the Redis of every region that names none of its own.
    _shared_redis_url: str | None = PrivateAttr(default=None)

    @field_validator("database_url", "database_admin_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        return normalize_database_url(value) if value else None

    @field_validator("regions")
    @classmethod
    def _regions(cls, value: str | None) -> str | None:
        return _document_or_none(value, parse_regions, "REGIONS")

    @model_validator(mode="after")
    def _process_region(self) -> Settings:
        """With REGIONS, DATABASE_URL, DATABASE_ADMIN_URL and REDIS_URL become the process's
        region's (REGION, else DEFAULT_REGION), so every process serves one region unless it asks
        for another (``for_region``)."""
        if not self.regions:
            for name in ("default_region", "region"):
                if getattr(self, name):
                    raise ValueError(f"{name.upper()}: names a region of REGIONS, which is not set")
            return self
        regions = parse_regions(self.regions)
        if self.database_url or self.database_admin_url:
            raise ValueError(
                "DATABASE_URL: leave DATABASE_URL and DATABASE_ADMIN_URL unset when REGIONS is set "
                "(each region names its own databases)"
            )
        known = ", ".join(regions)
        if self.default_region is None:
            if len(regions) > 1:
                raise ValueError(f"DEFAULT_REGION: must name one of the regions in REGIONS ({known})")
            self.default_region = next(iter(regions))
        if self.default_region not in regions:
            raise ValueError(f"DEFAULT_REGION: must name one of the regions in REGIONS ({known})")
        self.region = self.region or self.default_region
        if self.region not in regions:
            raise ValueError(f"REGION: must name one of the regions in REGIONS ({known})")
        chosen = regions[self.region]
        self._shared_redis_url = self.redis_url
        self.database_url = chosen.database_url
        self.database_admin_url = chosen.admin_url
        self.redis_url = chosen.redis_url or self.redis_url
        return self

    @property
    def regional(self) -> bool:
        """True when REGIONS is set: queue names carry the region and requests are routed by it."""
        return self.regions is not None

    @property
    def process_region(self) -> str:
        """The region this process serves (the implicit one without REGIONS)."""
        return self.region or IMPLICIT_REGION

    @property
    def home_region(self) -> str:
        """The default region: new organizations without a choice, and the directory's database."""
        return self.default_region or IMPLICIT_REGION

    @property
    def quota_key_space(self) -> str:
        """Where this process's quota keys live in Redis: a region without a Redis of its own shares
        REDIS_URL with other regions, so its keys carry its name ("eu:"); a region with its own
        Redis, and a service without REGIONS, need none ("")."""
        if not self.regions or parse_regions(self.regions)[self.process_region].redis_url:
            return ""
        return f"{self.process_region}:"

    def region_map(self) -> dict[str, Region]:
        """Every region, in REGIONS's order; without REGIONS, the one implicit region."""
        if self.regions:
            return parse_regions(self.regions)
        assert self.region is None
        return {
            IMPLICIT_REGION: Region(IMPLICIT_REGION, self.database_url or "", self.database_admin_url, self.redis_url)
        }

    def for_region(self, name: str) -> Settings:
        """These settings as a process of region ``name`` has them."""
        if not self.regions:
            if name != IMPLICIT_REGION:
                raise ConfigError(f"REGION: names a region of REGIONS, which is not set (got {name!r})")
            return self
        regions = parse_regions(self.regions)
        if name not in regions:
            raise ConfigError(f"REGION: must name one of the regions in REGIONS ({', '.join(regions)}), got {name!r}")
        chosen = regions[name]
        redis_url = chosen.redis_url or self._shared_redis_url
        return self.model_copy(
            update={
                "region": name,
                "database_url": chosen.database_url,
                "database_admin_url": chosen.admin_url,
                "redis_url": redis_url,
            }
        )

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis:// or rediss://")
        return value or None

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("gemini_models", mode="before")
    @classmethod
    def _gemini_models(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            models = tuple(m.strip() for m in value.split(",") if m.strip())
        elif isinstance(value, Iterable):
            models = tuple(str(model) for model in value)
        else:
            raise ValueError("must name at least one model, comma-separated")
        if not models:
            raise ValueError("must name at least one model, comma-separated")
        return models

    @field_validator("model_catalogue")
    @classmethod
    def _model_catalogue(cls, value: str | None) -> str | None:
        return _document_or_none(value, parse_catalogue, "MODEL_CATALOGUE")

    def catalogue(self) -> Catalogue:
        """The models the router may use: MODEL_CATALOGUE, else GEMINI_MODELS as its shorthand."""
        catalogue = _catalogue(self.model_catalogue, self.gemini_models, self.gemini_base_url)
        return _regional_catalogue(catalogue, self.region) if self.regional and self.region else catalogue

    @field_validator("token_encryption_key")
    @classmethod
    def _fernet_keys(cls, value: str | None) -> str | None:
        if not value:
            return None
        for key in value.split(","):
            try:
                Fernet(key.strip().encode())
            except ValueError as exc:
                raise ValueError(
                    "must be Fernet keys (32 url-safe base64 bytes), comma-separated; "
                    "`content-factory keygen` prints one"
                ) from exc
        return value

    @property
    def slack_mode(self) -> str:
        """Which way the app talks to Slack: socket, oauth, single or sandbox."""
        if self.slack_app_token:
            return "socket"
        if self.slack_client_id and self.slack_client_secret:
            return "oauth"
        if self.slack_bot_token:
            return "single"
        return "sandbox"

    def require(self, *names: str) -> None:
        """Refuse to start without the variables a command needs."""
        for name in names:
            if not getattr(self, name):
                raise ConfigError(f"{name.upper()} is not set; it is required for this command")


def _document_or_none(value: str | None, parse: Callable[[str], object], variable: str) -> str | None:
    """A JSON or YAML setting (inline, or a file's path) as set, once ``parse`` reads it; None when
    unset or blank. What ``parse`` refuses (``RegionsError``, ``CatalogueError``: both ValueErrors)
    is the field's error, less the variable's name, which ``load_settings`` puts in front."""
    if not value or not value.strip():
        return None
    try:
        parse(value)
    except ValueError as exc:
        raise ValueError(str(exc).removeprefix(f"{variable}: ")) from None
    return value


@lru_cache(maxsize=8)
def _catalogue(document: str | None, gemini_models: tuple[str, ...], gemini_base_url: str | None) -> Catalogue:
    if document:
        return parse_catalogue(document)
    return shorthand_catalogue(gemini_models, base_url=gemini_base_url)


@lru_cache(maxsize=8)
def _regional_catalogue(catalogue: Catalogue, region: str) -> Catalogue:
    return catalogue.for_region(region)


def allowed_range(field_name: str) -> str | None:
    """The bounds a numeric field declares, in words ("a number from 1 to 3600"), or None."""
    field = Settings.model_fields.get(field_name)
    if field is None:
        return None
    bounds: dict[str, object] = {}
    for constraint in field.metadata:
        for name in ("ge", "gt", "le", "lt"):
            if hasattr(constraint, name):
                bounds[name] = getattr(constraint, name)
    if not bounds:
        return None
    kind = "a whole number" if field.annotation in (int, int | None) else "a number"
    if set(bounds) == {"ge", "le"}:
        return f"{kind} from {bounds['ge']} to {bounds['le']}"
    words = {"ge": "at least", "gt": "above", "le": "at most", "lt": "below"}
    return f"{kind} " + " and ".join(f"{words[name]} {value}" for name, value in bounds.items())


def load_settings(**overrides: Any) -> Settings:
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        if not first["loc"]:
            # A check across variables (the regions): its message starts with the variable.
            raise ConfigError(str(first["msg"]).removeprefix("Value error, ")) from None
        field_name = str(first["loc"][0])
        name = field_name.upper() or "configuration"
        bounds = allowed_range(field_name)
        if bounds:
            raise ConfigError(f"{name}: must be {bounds}, got {first['input']!r}") from None
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{name}: {message}") from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
