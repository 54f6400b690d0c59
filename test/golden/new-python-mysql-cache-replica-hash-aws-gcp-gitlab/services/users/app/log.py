"""Structured logs: one JSON object per line on stdout, for whatever collects container output."""
import json
import logging
import sys
import threading
from datetime import datetime, timezone
from typing import Callable, Optional

LEVELS = {"debug": 10, "info": 20, "warn": 30, "error": 40}


class Logger:
    def __init__(self, service: str, level: str = "info", write: Optional[Callable[[str], None]] = None, now=None):
        self.service = service
        self.threshold = LEVELS.get(level, LEVELS["info"])
        self._write = write or self._stdout
        self._now = now or (lambda: datetime.now(timezone.utc))
        self._lock = threading.Lock()

    @staticmethod
    def _stdout(line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def _emit(self, level: str, msg: str, fields: dict) -> None:
        if LEVELS[level] < self.threshold:
            return
        record = {"time": self._now().isoformat(), "level": level, "service": self.service, "msg": msg, **fields}
        with self._lock:
            self._write(json.dumps(record, default=str))

    def debug(self, msg: str, **fields) -> None:
        self._emit("debug", msg, fields)

    def info(self, msg: str, **fields) -> None:
        self._emit("info", msg, fields)

    def warn(self, msg: str, **fields) -> None:
        self._emit("warn", msg, fields)

    def error(self, msg: str, **fields) -> None:
        self._emit("error", msg, fields)

    def capture_stdlib(self) -> None:
        """Sends records from libraries that use the logging module (the database pool) through this logger."""
        target = self

        class Forward(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                level = {"DEBUG": "debug", "INFO": "info", "WARNING": "warn"}.get(record.levelname, "error")
                target._emit(level, record.getMessage(), {"logger": record.name})

        root = logging.getLogger()
        root.handlers[:] = [Forward()]
        root.setLevel(logging.INFO)
