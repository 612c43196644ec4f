"""`mockinterview doctor`: is the configured LLM endpoint usable, and how? Each check says what it found."""
from __future__ import annotations

import time
from dataclasses import asdict, dataclass

from pydantic import BaseModel

from agent.llm_client import LLMClient, parse_json
from mockinterview.errors import LLMError
from mockinterview.settings import Settings


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    essential: bool = True


class _Ping(BaseModel):
    ok: bool
    word: str


PING_SCHEMA = {"type": "object", "properties": {"ok": {"type": "boolean"}, "word": {"type": "string"}}, "required": ["ok", "word"]}


def run_doctor(settings: Settings) -> list[Check]:
    key = "set" if settings.llm_api_key else "not set (fine for local servers)"
    config = Check("configuration", settings.llm_enabled,
                   f"base_url={settings.llm_base_url or 'unset'} model={settings.llm_model or 'unset'} api_key {key} "
                   f"timeout={settings.llm_timeout:g}s retries={settings.llm_retries}")
    if not settings.llm_enabled:
        config.detail += ": set MOCKINTERVIEW_LLM_BASE_URL and MOCKINTERVIEW_LLM_MODEL; the offline engine works without them"
        return [config]
    client = LLMClient(settings.with_overrides(llm_retries=0))
    checks = [config]
    started = time.perf_counter()
    try:
        models = client.list_models()
        checks.append(Check("reachable", True, f"GET /models answered in {_ms(started)} ms with {len(models)} model(s)"))
        present = settings.llm_model in models
        checks.append(Check("model present", present,
                            f"'{settings.llm_model}' is served" if present else
                            f"'{settings.llm_model}' not in {', '.join(models[:8]) or 'an empty list'}"))
    except LLMError as exc:
        checks.append(Check("reachable", False, str(exc)))
        return checks
    chat = _attempt(client, "chat completion", lambda: _chat_detail(client))
    checks.append(chat)
    if not chat.ok:
        return checks
    checks.append(_attempt(client, "JSON-schema output", lambda: _json_detail(client),
                           failure_hint=": LLM grades will fall back to the offline grader"))
    checks.append(_attempt(client, "streaming", lambda: _stream_detail(client), essential=False,
                           failure_hint=": wording arrives whole instead"))
    return checks


def _attempt(client: LLMClient, name: str, run, essential: bool = True, failure_hint: str = "") -> Check:
    """One check as a fresh turn (an earlier failure must not skip it); an LLMError is its failure."""
    client.new_turn()
    try:
        ok, detail = run()
        return Check(name, ok, detail, essential)
    except LLMError as exc:
        return Check(name, False, f"{exc}{failure_hint}", essential)


def _chat_detail(client: LLMClient) -> tuple[bool, str]:
    started = time.perf_counter()
    done = client.complete([{"role": "user", "content": "Reply with the single word OK."}], max_tokens=8)
    reported = "estimated by tiktoken" if done.usage.estimated else "reported by the server"
    return True, f"{_ms(started)} ms; {done.usage.prompt_tokens}+{done.usage.completion_tokens} tokens {reported}"


def _json_detail(client: LLMClient) -> tuple[bool, str]:
    started = time.perf_counter()
    done = client.complete([{"role": "user", "content": 'Reply with JSON: {"ok": true, "word": "ready"}'}],
                           max_tokens=40, schema=PING_SCHEMA)
    parse_json(done, _Ping)
    return True, f"{client.json_dialect} response_format accepted; valid JSON in {_ms(started)} ms"


def _stream_detail(client: LLMClient) -> tuple[bool, str]:
    tokens: list[str] = []
    first: list[float] = []
    started = time.perf_counter()
    client.complete([{"role": "user", "content": "Count from one to five in words."}], max_tokens=24,
                    on_token=lambda t: (tokens.append(t), first or first.append(time.perf_counter())))
    ttft = int((first[0] - started) * 1000) if first else -1
    return bool(tokens), f"{len(tokens)} chunks, first after {ttft} ms"


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def as_dicts(checks: list[Check]) -> list[dict]:
    return [asdict(c) for c in checks]
