"""``etcd3.testing``'s HTTP probe of members (health, metrics), against a local HTTP server."""

from __future__ import annotations

import gc
import http.server
import threading
from collections.abc import Iterator

import pytest

from etcd3.testing._member import http_get


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        status = 200 if self.path == "/health" else 503
        body = b'{"health":"true"}' if status == 200 else b"not ready"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def base_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_http_get_returns_the_body_of_a_200(base_url: str) -> None:
    assert http_get(f"{base_url}/health", timeout=5) == b'{"health":"true"}'


def test_http_get_closes_a_non_200_answer(base_url: str) -> None:
    assert http_get(f"{base_url}/members", timeout=5) is None
    # An HTTPError left open warns when collected (Python 3.14); pytest turns that into an error.
    gc.collect()


def test_http_get_is_none_when_nothing_listens() -> None:
    assert http_get("http://127.0.0.1:9/health", timeout=5) is None
