"""Wires configuration, database, routes and server together: `python3 -m app`."""
import json
import sys
from datetime import datetime, timezone

from .config import load_config
from .db import create_database
from .http import create_handler
from .log import Logger
from .metrics import Metrics
from .repository import Repository
from .routes import create_routes
from .schema import migrate
from .server import serve

SERVICE = "orders"


def main() -> int:
    try:
        config = load_config()
        log = Logger(SERVICE, config.log_level)
        log.capture_stdlib()
        primary = create_database(config.database_url, config.db_password, config.pool_size, log)
        replica = (
            create_database(config.replica_url, config.db_password, config.pool_size, log)
            if config.replica_url
            else primary
        )
        migrate(primary, log)
        repository = Repository(primary, replica)
    except Exception as error:  # noqa: BLE001 - report any start failure as one log line
        line = {"time": datetime.now(timezone.utc).isoformat(), "level": "error", "service": SERVICE, "msg": "start failed", "error": str(error)}
        print(json.dumps(line), flush=True)
        return 1

    def close() -> None:
        if replica is not primary:
            replica.close()
        primary.close()

    handler = create_handler(create_routes(repository), log, Metrics(), health=primary.ping)
    return serve(handler, config.port, log, config.shutdown_timeout_seconds, on_close=close)


if __name__ == "__main__":
    sys.exit(main())
