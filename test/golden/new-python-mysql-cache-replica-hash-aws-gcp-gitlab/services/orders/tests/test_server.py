"""Graceful shutdown: on SIGTERM a request in flight finishes, then resources close and serve returns 0."""
import os
import signal
import threading
import time
import unittest
import urllib.request
from http.server import BaseHTTPRequestHandler

from app.server import serve

from .support import Quiet


class GracefulStopTest(unittest.TestCase):
    def setUp(self):
        self.saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def tearDown(self):
        for sig, handler in self.saved.items():
            signal.signal(sig, handler)

    def test_sigterm_drains_the_request_in_flight_then_closes(self):
        release = threading.Event()
        started = threading.Event()

        class Slow(BaseHTTPRequestHandler):
            def do_GET(self):
                started.set()
                release.wait(5)
                self.send_response(200)
                self.send_header("content-length", "4")
                self.end_headers()
                self.wfile.write(b"done")

            def log_message(self, format, *args):  # noqa: A002 - the stdlib's name
                pass

        log = Quiet()
        closed = []
        closed_while_running = []
        answers = []

        def client():
            while not any(line["msg"] == "listening" for line in log.lines):
                time.sleep(0.01)
            port = next(line["port"] for line in log.lines if line["msg"] == "listening")
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
                answers.append(response.read())

        def terminate():
            started.wait(5)
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.3)
            closed_while_running.extend(closed)
            release.set()

        threads = [threading.Thread(target=client), threading.Thread(target=terminate)]
        for thread in threads:
            thread.start()
        code = serve(Slow, 0, log, 5, on_close=lambda: closed.append("pools"), host="127.0.0.1")
        for thread in threads:
            thread.join(5)
        self.assertEqual(code, 0)
        self.assertEqual(answers, [b"done"])
        self.assertEqual(closed_while_running, [], "resources stay open while a request runs")
        self.assertEqual(closed, ["pools"])
        self.assertEqual([line["msg"] for line in log.lines][-2:], ["shutting down", "stopped"])
