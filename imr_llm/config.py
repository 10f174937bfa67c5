"""Settings, resolved in one place: explicit argument, then environment variable, then default.

| setting | environment | default |
| --- | --- | --- |
| data folder | IMR_HOME | the per-user data folder (platformdirs) |
| Chroma server | IMR_CHROMA_URL | unset: an embedded store under IMR_HOME/chroma |
| collection | IMR_COLLECTION | imr-letters |
| embeddings | IMR_EMBEDDING | bundled all-MiniLM-L6-v2; `litellm/<model>` for a provider's API |
| LLM model | IMR_LLM_MODEL | unset: the offline engine |
| LLM API base | IMR_LLM_API_BASE | the provider's own |
| LLM timeout / deadline | IMR_LLM_TIMEOUT / IMR_LLM_DEADLINE | 30 s per call / 90 s overall |
| wait for another writer | IMR_WRITE_WAIT | 600 s, then the ingest fails with one line |
| a server writer's lease | IMR_WRITE_LEASE | 900 s: a pending letter older than this, on a Chroma server, is repaired |
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

from .errors import ConfigError

__all__ = ["Settings", "get_settings"]

DEFAULT_EMBEDDING = "all-MiniLM-L6-v2"


def _float_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}", setting=name) from None


@dataclass(frozen=True)
class Settings:
    home: Path
    chroma_url: str | None = None
    collection: str = "imr-letters"
    embedding: str = DEFAULT_EMBEDDING
    llm_model: str | None = None
    llm_api_base: str | None = None
    llm_timeout: float = 30.0
    llm_deadline: float = 90.0
    write_wait: float = 600.0
    write_lease: float = 900.0
    extra: dict = field(default_factory=dict)

    @property
    def chroma_path(self) -> Path:
        return self.home / "chroma"

    @property
    def llm_dir(self) -> Path:
        return self.home / "llm"

    def with_model(self, model: str | None) -> "Settings":
        return self if model is None else replace(self, llm_model=model or None)

    def chroma_host_port(self) -> tuple[str, int, bool]:
        if not self.chroma_url:
            raise ConfigError("IMR_CHROMA_URL is not set", setting="IMR_CHROMA_URL")
        url = urlparse(self.chroma_url if "://" in self.chroma_url else f"http://{self.chroma_url}")
        if not url.hostname:
            raise ConfigError(f"IMR_CHROMA_URL is not a URL: {self.chroma_url!r}", setting="IMR_CHROMA_URL")
        ssl = url.scheme == "https"
        return url.hostname, url.port or (443 if ssl else 8000), ssl


def default_home() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("imr-llm", appauthor=False))


def get_settings(**overrides) -> Settings:
    """Settings from the environment, with keyword overrides (None means 'not given')."""
    env = os.environ
    settings = Settings(
        home=Path(env["IMR_HOME"]).expanduser() if env.get("IMR_HOME") else default_home(),
        chroma_url=env.get("IMR_CHROMA_URL") or None,
        collection=env.get("IMR_COLLECTION") or "imr-letters",
        embedding=env.get("IMR_EMBEDDING") or DEFAULT_EMBEDDING,
        llm_model=env.get("IMR_LLM_MODEL") or None,
        llm_api_base=env.get("IMR_LLM_API_BASE") or None,
        llm_timeout=_float_env("IMR_LLM_TIMEOUT", 30.0),
        llm_deadline=_float_env("IMR_LLM_DEADLINE", 90.0),
        write_wait=_float_env("IMR_WRITE_WAIT", 600.0),
        write_lease=_float_env("IMR_WRITE_LEASE", 900.0),
    )
    given = {k: v for k, v in overrides.items() if v is not None}
    if "home" in given:
        given["home"] = Path(given["home"]).expanduser()
    return replace(settings, **given)
