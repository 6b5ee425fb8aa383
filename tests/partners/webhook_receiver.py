"""A real HTTPS receiver for webhook tests: ``http.server`` on 127.0.0.1 in a thread, with a
self-signed certificate made by ``openssl`` and trusted by the process through
``SSL_CERT_FILE`` (which ``ssl.create_default_context()`` reads at each call). No mock of the
HTTP client: Halle's own code opens the connection, checks the certificate and posts."""

from __future__ import annotations

import http.server
import ssl
import subprocess
import threading
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """``url`` to register; ``answers`` the statuses to answer, in order (200 once empty),
    optionally with headers; ``requests`` what came in."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: deque[tuple[int, dict[str, str]]] = field(default_factory=deque)

    def answer(self, *statuses: int, headers: dict[str, str] | None = None) -> None:
        self.answers.extend((status, headers or {}) for status in statuses)


@pytest.fixture(scope="session")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for the IP address 127.0.0.1, made once per run."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def receiver(certificate, settings, monkeypatch):
    """An HTTPS server on 127.0.0.1 that records every request; Halle may call it because
    the test allows private addresses (``HALLE_WEBHOOKS_ALLOW_PRIVATE``)."""
    cert, key = certificate
    settings.HALLE_WEBHOOKS_ALLOW_PRIVATE = True
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    state = Receiver(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            state.requests.append(
                Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            )
            status, headers = state.answers.popleft() if state.answers else (200, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            body = b"ok" if status < 300 else b"nope"
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            return

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"https://127.0.0.1:{server.server_address[1]}/hooks/halle?source=test"
    yield state
    server.shutdown()
    server.server_close()
    thread.join()
