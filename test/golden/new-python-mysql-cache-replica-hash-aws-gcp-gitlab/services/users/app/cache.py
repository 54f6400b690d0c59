"""
A read-through cache in Redis for user lookups. The cache is an optimisation:
when Redis fails the lookup goes to the database and the failure is logged,
never returned to the client.
"""
import json
from datetime import date, datetime


def _json_default(value):
    return value.isoformat() if isinstance(value, (datetime, date)) else str(value)


class Cache:
    """The cache over any client with get, set and close; tests pass a fake one."""

    def __init__(self, client, ttl_seconds: int, log):
        self.client = client
        self.ttl_seconds = ttl_seconds
        self.log = log

    def get(self, key: str):
        try:
            text = self.client.get(key)
            return json.loads(text) if text else None
        except Exception as error:  # noqa: BLE001 - fall back to the database
            self.log.warn("cache read failed", key=key, error=str(error))
            return None

    def set(self, key: str, value) -> None:
        try:
            self.client.set(key, json.dumps(value, default=_json_default), ex=self.ttl_seconds)
        except Exception as error:  # noqa: BLE001 - the database stays the source of truth
            self.log.warn("cache write failed", key=key, error=str(error))

    def close(self) -> None:
        self.client.close()


def create_cache(url: str, ttl_seconds: int, log) -> Cache:
    import redis  # imported here so the tests need no Redis client

    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    return Cache(client, ttl_seconds, log)
