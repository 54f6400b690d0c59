"""Configuration from the environment only; secrets (DB_PASSWORD) are never written into code or images."""
import os
from dataclasses import dataclass
from typing import Mapping, Optional


@dataclass(frozen=True)
class Config:
    port: int
    database_url: str
    replica_url: Optional[str]
    db_password: str
    pool_size: int
    redis_url: Optional[str]
    cache_ttl_seconds: int
    log_level: str
    shutdown_timeout_seconds: float


def load_config(env: Mapping[str, str] = os.environ) -> Config:
    missing = [name for name in ("DATABASE_URL", "DB_PASSWORD") if not env.get(name)]
    if missing:
        raise ValueError(f"missing environment variables: {', '.join(missing)}")
    return Config(
        port=_integer(env, "PORT", 8080, 1, 65535),
        database_url=env["DATABASE_URL"],
        # Reads go to the replica when one is configured; writes always to the primary.
        replica_url=env.get("DATABASE_REPLICA_URL") or None,
        db_password=env["DB_PASSWORD"],
        pool_size=_integer(env, "DB_POOL_SIZE", 10, 1, 500),
        redis_url=env.get("REDIS_URL") or None,
        cache_ttl_seconds=_integer(env, "CACHE_TTL_SECONDS", 60, 1, 86400),
        log_level=env.get("LOG_LEVEL") or "info",
        shutdown_timeout_seconds=_integer(env, "SHUTDOWN_TIMEOUT_MS", 10000, 0, 300000) / 1000,
    )


def _integer(env: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        value = low - 1
    if not low <= value <= high:
        raise ValueError(f'{name} must be a whole number from {low} to {high}, got "{raw}"')
    return value
