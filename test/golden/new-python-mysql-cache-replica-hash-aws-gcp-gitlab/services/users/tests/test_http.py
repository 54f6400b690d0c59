"""The HTTP layer every service shares: health, metrics, errors and logs, with no database."""
import re
import unittest

from app.http import HttpError, Response, Route, create_handler
from app.metrics import Metrics

from .support import Quiet, serve


def raise_teapot(_request):
    raise HttpError(418, "short and stout")


def raise_bug(_request):
    raise RuntimeError("secret detail")


def make(healthy=True):
    log = Quiet()
    routes = [
        Route("GET", "/things/:id", lambda request: Response({"id": request.params["id"]})),
        Route("POST", "/things", lambda request: Response(request.body, 201)),
        Route("GET", "/teapot", raise_teapot),
        Route("GET", "/broken", raise_bug),
    ]

    def health():
        if not healthy:
            raise ConnectionError("connection refused")

    return log, create_handler(routes, log, Metrics(), health)


class HttpLayerTest(unittest.TestCase):
    def test_healthz_follows_the_database(self):
        with serve(make()[1]) as call:
            reply = call("GET", "/healthz")
            self.assertEqual((reply.status, reply.json()), (200, {"status": "ok"}))
        with serve(make(healthy=False)[1]) as call:
            reply = call("GET", "/healthz")
            self.assertEqual(reply.status, 503)
            self.assertEqual(reply.json()["status"], "unavailable")

    def test_metrics_count_by_route_pattern_with_a_latency_histogram(self):
        with serve(make()[1]) as call:
            call("GET", "/things/a")
            call("GET", "/things/b")
            text = call("GET", "/metrics").text
        self.assertRegex(text, re.compile(r'^http_requests_total\{method="GET",route="/things/:id",status="200"\} 2$', re.M))
        self.assertRegex(text, re.compile(r"^# TYPE http_request_duration_seconds histogram$", re.M))
        self.assertRegex(text, re.compile(r'^http_request_duration_seconds_bucket\{method="GET",route="/things/:id",le="\+Inf"\} 2$', re.M))

    def test_errors_are_json_and_bugs_stay_in_the_logs(self):
        log, handler = make()
        with serve(handler) as call:
            self.assertEqual(call("GET", "/nothing").status, 404)
            self.assertEqual(call("DELETE", "/things/a").status, 405)
            self.assertEqual(call("POST", "/things", raw="x", content_type="text/plain").status, 415)
            bad = call("POST", "/things", raw="{nope")
            self.assertEqual((bad.status, bad.json()), (400, {"error": "the body is not valid JSON"}))
            self.assertEqual(call("POST", "/things", json_body={"a": 1}).json(), {"a": 1})
            teapot = call("GET", "/teapot")
            self.assertEqual((teapot.status, teapot.json()), (418, {"error": "short and stout"}))
            broken = call("GET", "/broken")
            self.assertEqual(broken.status, 500)
            self.assertNotIn("secret detail", broken.text)
        self.assertTrue(any(line["level"] == "error" and line["error"] == "secret detail" for line in log.lines))
        request = next(line for line in log.lines if line["msg"] == "request" and line["route"] == "/teapot")
        self.assertEqual(request["status"], 418)
        self.assertIsInstance(request["durationMs"], int)
