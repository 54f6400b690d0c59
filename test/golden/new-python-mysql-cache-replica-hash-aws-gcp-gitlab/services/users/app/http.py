"""
A small HTTP layer over the standard library: route patterns, JSON bodies
with a size limit, errors as JSON with the right status, one log line and one
metrics observation per request, and the /healthz and /metrics endpoints.
"""
import json
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any, Callable, Optional
from urllib.parse import parse_qs, unquote, urlsplit

MAX_BODY_BYTES = 1024 * 1024


class HttpError(Exception):
    """An error the client caused or should see: its status and message go into the response."""

    def __init__(self, status: int, message: str, details: Optional[list] = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


def assert_valid(problems: list) -> None:
    """Raises a 400 listing every problem, or returns when there is none."""
    if problems:
        raise HttpError(400, "the request is not valid", problems)


@dataclass
class Request:
    params: dict
    query: dict
    body: Any
    request_id: str


@dataclass
class Response:
    body: Any = None
    status: int = 200


@dataclass
class Route:
    method: str
    path: str
    handler: Callable[[Request], Response]
    segments: list = field(init=False)

    def __post_init__(self):
        self.segments = [part for part in self.path.split("/") if part]


def _json_default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def create_handler(routes: list, log, metrics, health: Callable[[], None]):
    """A request handler class for http.server, closed over the routes and their collaborators."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "service"
        sys_version = ""

        def do_GET(self):
            self._handle()

        def do_POST(self):
            self._handle()

        def do_PUT(self):
            self._handle()

        def do_PATCH(self):
            self._handle()

        def do_DELETE(self):
            self._handle()

        def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
            pass  # every request is logged once, as JSON, by _handle

        def _handle(self):
            started = time.perf_counter()
            request_id = self.headers.get("x-request-id") or str(uuid.uuid4())
            url = urlsplit(self.path)
            route, status, content_type = "unmatched", 500, "application/json"
            try:
                if self.command == "GET" and url.path == "/healthz":
                    route = "/healthz"
                    status, payload = _check_health(health, log)
                elif self.command == "GET" and url.path == "/metrics":
                    route, status, content_type = "/metrics", 200, "text/plain; version=0.0.4"
                    payload = metrics.render()
                else:
                    match, params = _match(routes, self.command, url.path)
                    route = match.path
                    body = self._read_json() if self.command in ("POST", "PUT", "PATCH") else None
                    query = {key: values[0] for key, values in parse_qs(url.query).items()}
                    result = match.handler(Request(params, query, body, request_id))
                    status, payload = result.status, result.body
            except HttpError as error:
                status = error.status
                payload = {"error": error.message, **({"details": error.details} if error.details else {})}
            except Exception as error:  # noqa: BLE001 - a bug: log it, answer without its details
                status, payload = 500, {"error": "internal error", "requestId": request_id}
                log.error("request failed", requestId=request_id, method=self.command, route=route, error=str(error))
            text = payload if isinstance(payload, str) else ("" if payload is None else json.dumps(payload, default=_json_default))
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(data)))
            self.send_header("x-request-id", request_id)
            self.send_header("cache-control", "no-store")
            self.end_headers()
            self.wfile.write(data)
            seconds = time.perf_counter() - started
            metrics.observe(self.command, route, status, seconds)
            if route not in ("/healthz", "/metrics"):
                log.info("request", requestId=request_id, method=self.command, route=route, status=status, durationMs=round(seconds * 1000))

        def _read_json(self):
            """The parsed JSON body, or None when the request has none (a bare POST such as a capture)."""
            length = int(self.headers.get("content-length") or 0)
            if length == 0:
                return None
            if not (self.headers.get("content-type") or "").startswith("application/json"):
                raise HttpError(415, "send a JSON body with content-type: application/json")
            if length > MAX_BODY_BYTES:
                raise HttpError(413, f"the body is larger than {MAX_BODY_BYTES} bytes")
            try:
                return json.loads(self.rfile.read(length))
            except ValueError:
                raise HttpError(400, "the body is not valid JSON") from None

    return Handler


def _check_health(health, log):
    try:
        health()
        return 200, {"status": "ok"}
    except Exception as error:  # noqa: BLE001 - any failure means not ready
        log.warn("health check failed", error=str(error))
        return 503, {"status": "unavailable", "error": "database unreachable"}


def _match(routes: list, method: str, path: str):
    parts = [part for part in path.split("/") if part]
    path_matched = False
    for route in routes:
        if len(route.segments) != len(parts):
            continue
        params = {}
        for segment, part in zip(route.segments, parts):
            if segment.startswith(":"):
                params[segment[1:]] = unquote(part)
            elif segment != part:
                break
        else:
            path_matched = True
            if route.method == method:
                return route, params
    if path_matched:
        raise HttpError(405, f"{method} is not allowed on {path}")
    raise HttpError(404, f"no route for {method} {path}")
