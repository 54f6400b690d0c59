"""
Runs the HTTP server and stops it gracefully: on SIGTERM it stops accepting
connections, waits for requests in flight (up to a deadline), then closes the
database pools, so a rolling deploy drops no requests.
"""
import signal
import threading
from http.server import ThreadingHTTPServer


class DrainingHTTPServer(ThreadingHTTPServer):
    # Request threads are joined on close (not daemons), so a stop waits for them.
    daemon_threads = False
    block_on_close = True


def serve(handler, port: int, log, shutdown_timeout_seconds: float, on_close=lambda: None, host: str = "0.0.0.0") -> int:
    server = DrainingHTTPServer((host, port), handler)
    stopping = threading.Event()

    def stop(signum, _frame):
        if stopping.is_set():
            return
        stopping.set()
        log.info("shutting down", signal=signal.Signals(signum).name)
        # shutdown() waits for serve_forever to return, so it cannot run on the thread serving.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info("listening", port=server.server_address[1])
    server.serve_forever()

    drained = threading.Thread(target=server.server_close, daemon=True)
    drained.start()
    drained.join(shutdown_timeout_seconds)
    if drained.is_alive():
        log.error("requests still running at the shutdown deadline", shutdownTimeoutSeconds=shutdown_timeout_seconds)
    try:
        on_close()
    except Exception as error:  # noqa: BLE001 - report and exit non-zero
        log.error("closing resources failed", error=str(error))
        return 1
    log.info("stopped")
    return 0
