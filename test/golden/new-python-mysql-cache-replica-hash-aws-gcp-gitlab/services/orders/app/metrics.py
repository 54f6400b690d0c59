"""
Request metrics in the Prometheus text format: a counter per method, route
and status, and a latency histogram per method and route. Routes are the
patterns (/users/:id), never raw paths, so the number of series stays bounded.
"""
import threading

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


class Metrics:
    def __init__(self):
        self._lock = threading.Lock()
        self._requests: dict = {}
        self._durations: dict = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            key = (method, route, str(status))
            self._requests[key] = self._requests.get(key, 0) + 1
            histogram = self._durations.setdefault((method, route), {"buckets": [0] * len(BUCKETS), "sum": 0.0, "count": 0})
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    histogram["buckets"][index] += 1
            histogram["sum"] += seconds
            histogram["count"] += 1

    def render(self) -> str:
        lines = [
            "# HELP http_requests_total HTTP requests handled, by method, route and status.",
            "# TYPE http_requests_total counter",
        ]
        with self._lock:
            for (method, route, status), count in self._requests.items():
                lines.append(f'http_requests_total{{method="{method}",route="{_escape(route)}",status="{status}"}} {count}')
            lines += [
                "# HELP http_request_duration_seconds Time to handle an HTTP request.",
                "# TYPE http_request_duration_seconds histogram",
            ]
            for (method, route), histogram in self._durations.items():
                labels = f'method="{method}",route="{_escape(route)}"'
                for index, bound in enumerate(BUCKETS):
                    lines.append(f'http_request_duration_seconds_bucket{{{labels},le="{bound}"}} {histogram["buckets"][index]}')
                lines.append(f'http_request_duration_seconds_bucket{{{labels},le="+Inf"}} {histogram["count"]}')
                lines.append(f'http_request_duration_seconds_sum{{{labels}}} {histogram["sum"]}')
                lines.append(f'http_request_duration_seconds_count{{{labels}}} {histogram["count"]}')
        return "\n".join(lines) + "\n"


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
