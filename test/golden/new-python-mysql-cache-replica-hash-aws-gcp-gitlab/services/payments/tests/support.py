"""Serves a handler class on a free port for one test, and calls it with the standard library."""
import json
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager
from http.server import ThreadingHTTPServer


class Quiet:
    """A logger that keeps what it is told, for assertions."""

    def __init__(self):
        self.lines = []

    def _keep(self, level, msg, fields):
        self.lines.append({"level": level, "msg": msg, **fields})

    def debug(self, msg, **fields):
        self._keep("debug", msg, fields)

    def info(self, msg, **fields):
        self._keep("info", msg, fields)

    def warn(self, msg, **fields):
        self._keep("warn", msg, fields)

    def error(self, msg, **fields):
        self._keep("error", msg, fields)


class Reply:
    def __init__(self, status, text):
        self.status = status
        self.text = text

    def json(self):
        return json.loads(self.text)


@contextmanager
def serve(handler_class):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"

    def call(method, path, json_body=None, raw=None, content_type="application/json"):
        data = json.dumps(json_body).encode() if json_body is not None else (raw.encode() if raw is not None else None)
        request = urllib.request.Request(base + path, data=data, method=method)
        if data is not None:
            request.add_header("content-type", content_type)
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return Reply(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Reply(error.code, error.read().decode())

    try:
        yield call
    finally:
        server.shutdown()
        server.server_close()
