"""The one door to an OpenAI-compatible endpoint (OpenAI, vLLM, Ollama, llama.cpp server).

Timeouts, retries with backoff (the openai SDK's own), JSON-schema output with a fallback dialect,
streaming with stall detection, and token counts. Every failure surfaces as LLMError with a short
reason that never contains the API key; callers then fall back to the offline engine.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import openai
from pydantic import BaseModel, ValidationError

from agent.schemas import TokenUsage
from knowledge.chunking import count_tokens
from mockinterview.errors import LLMError
from mockinterview.settings import Settings

OnToken = Callable[[str], None]
JsonDialect = Literal["json_schema", "json_object"]
DIALECT_REJECTED = re.compile(r"json_schema|response_format", re.IGNORECASE)
NO_KEY = "not-needed"  # local servers ignore the key, but the SDK insists on one


class LLMUnreachable(LLMError):
    """Transport failure (connection, timeout, stall): the rest of this turn skips the LLM instead of waiting again."""


@dataclass
class Completion:
    text: str
    usage: TokenUsage
    finish_reason: str | None


def redact(text: str, secret: str | None) -> str:
    if secret and secret != NO_KEY and len(secret) >= 4:
        text = text.replace(secret, "***")
    return re.sub(r"\b(sk-[A-Za-z0-9_-]{4})[A-Za-z0-9_-]+", r"\1***", text)


class LLMClient:
    def __init__(self, settings: Settings):
        if not settings.llm_enabled:
            raise LLMError("no LLM endpoint configured: set MOCKINTERVIEW_LLM_BASE_URL and MOCKINTERVIEW_LLM_MODEL")
        self.settings = settings
        self.base_url = settings.llm_base_url
        self.model = settings.llm_model or ""
        self._secret = settings.llm_api_key.get_secret_value() if settings.llm_api_key else NO_KEY
        timeout = httpx.Timeout(settings.llm_timeout, connect=min(5.0, settings.llm_timeout))
        self._client = openai.OpenAI(base_url=self.base_url, api_key=self._secret, timeout=timeout,
                                     max_retries=settings.llm_retries)
        self.json_dialect: JsonDialect | None = None  # learned on first structured call (or by `doctor`)
        self.total = TokenUsage()
        self._down: str | None = None

    def __repr__(self) -> str:  # never the key
        return f"LLMClient(base_url={self.base_url!r}, model={self.model!r})"

    # ---- per-turn circuit ---------------------------------------------------------------------
    def new_turn(self) -> None:
        """Each turn tries the LLM again, whatever happened on the last one."""
        self._down = None

    @property
    def down(self) -> str | None:
        return self._down

    # ---- calls --------------------------------------------------------------------------------
    def list_models(self) -> list[str]:
        return self._guard(lambda: [m.id for m in self._client.with_options(max_retries=0).models.list()])

    def complete(self, messages: list[dict[str, str]], *, max_tokens: int, schema: dict | None = None,
                 on_token: OnToken | None = None, temperature: float | None = None) -> Completion:
        if self._down:
            raise LLMUnreachable(f"skipped, endpoint failed earlier this turn ({self._down})")
        kwargs: dict[str, Any] = {
            "model": self.model, "messages": messages, "max_tokens": max_tokens,
            "temperature": self.settings.llm_temperature if temperature is None else temperature,
        }
        if schema is not None:
            return self._structured(messages, kwargs, schema)
        if on_token is not None:
            return self._stream(messages, kwargs, on_token)
        return self._once(messages, kwargs)

    def complete_json(self, messages: list[dict[str, str]], model: type[BaseModel], schema: dict, *, max_tokens: int) -> tuple[BaseModel, Completion]:
        completion = self.complete(messages, max_tokens=max_tokens, schema=schema)
        return parse_json(completion, model), completion

    # ---- internals ----------------------------------------------------------------------------
    def _once(self, messages, kwargs, retries: int | None = None) -> Completion:
        client = self._client if retries is None else self._client.with_options(max_retries=retries)
        response = self._guard(lambda: client.chat.completions.create(**kwargs))
        if not response.choices:
            raise LLMError("the endpoint returned no choices")
        choice = response.choices[0]
        text = choice.message.content or ""
        return self._finish(messages, text, choice.finish_reason, response.usage)

    def _structured(self, messages, kwargs, schema: dict) -> Completion:
        if self.json_dialect:
            return self._once(messages, {**kwargs, "response_format": response_format(self.json_dialect, schema)})
        try:  # first structured call: does the endpoint take OpenAI's json_schema? Asked once, without retries.
            completion = self._once(messages, {**kwargs, "response_format": response_format("json_schema", schema)},
                                    retries=0)
            self.json_dialect = "json_schema"
            return completion
        except LLMUnreachable:
            raise
        except LLMError as exc:
            if not DIALECT_REJECTED.search(str(exc)):
                raise
        completion = self._once(messages, {**kwargs, "response_format": response_format("json_object", schema)})
        self.json_dialect = "json_object"
        return completion

    def _stream(self, messages, kwargs, on_token: OnToken) -> Completion:
        deadline = time.monotonic() + self.settings.llm_timeout * 3
        parts: list[str] = []
        finish: str | None = None
        usage = None

        def run():
            nonlocal finish, usage
            stream = self._client.chat.completions.create(**kwargs, stream=True, stream_options={"include_usage": True})
            try:  # failures after the stream began: say so, not "cannot connect"
                read_chunks(stream)
            except openai.APITimeoutError as exc:
                raise self._unreachable(f"the stream stalled after {len(parts)} chunk(s): nothing for {self.settings.llm_timeout:g}s") from exc
            except openai.APIConnectionError as exc:
                raise self._unreachable(f"the stream broke off after {len(parts)} chunk(s) ({_cause(exc)})") from exc
            finally:
                stream.close()

        def read_chunks(stream):
            nonlocal finish, usage
            for chunk in stream:
                if chunk.usage is not None:
                    usage = chunk.usage
                for choice in chunk.choices:
                    if choice.delta and choice.delta.content:
                        parts.append(choice.delta.content)
                        on_token(choice.delta.content)
                    if choice.finish_reason:
                        finish = choice.finish_reason
                if time.monotonic() > deadline:
                    raise self._unreachable(f"stream still running after {self.settings.llm_timeout * 3:.0f}s")

        self._guard(run)
        if finish is None:
            raise self._unreachable(f"the stream ended after {len(parts)} chunk(s) before the model finished")
        return self._finish(messages, "".join(parts), finish, usage)

    def _finish(self, messages, text: str, finish: str | None, usage) -> Completion:
        if usage is not None and getattr(usage, "prompt_tokens", None) is not None:
            counted = TokenUsage(prompt_tokens=usage.prompt_tokens or 0, completion_tokens=usage.completion_tokens or 0, calls=1)
        else:
            counted = TokenUsage(prompt_tokens=sum(count_tokens(m["content"]) + 4 for m in messages),
                                 completion_tokens=count_tokens(text), calls=1, estimated=True)
        self.total.add(counted)
        return Completion(text=text, usage=counted, finish_reason=finish)

    def _guard(self, call: Callable[[], Any]) -> Any:
        """Run one SDK call and turn its failures into one-line LLMErrors."""
        try:
            return call()
        except LLMError:
            raise
        except openai.APITimeoutError:
            raise self._unreachable(f"timed out after {self.settings.llm_timeout:g}s") from None
        except openai.APIConnectionError as exc:
            raise self._unreachable(f"cannot connect to {self.base_url} ({_cause(exc)})") from None
        except openai.AuthenticationError:
            raise LLMError("authentication failed: check MOCKINTERVIEW_LLM_API_KEY") from None
        except openai.NotFoundError as exc:
            raise LLMError(f"not found (HTTP 404): is the model '{self.model}' served at {self.base_url}? {self._detail(exc)}") from None
        except openai.RateLimitError:
            raise LLMError(f"rate limited (HTTP 429) after {self.settings.llm_retries} retries") from None
        except openai.APIStatusError as exc:
            raise LLMError(f"HTTP {exc.status_code} from the endpoint: {self._detail(exc)}") from None
        except (httpx.TimeoutException, httpx.ReadError, httpx.RemoteProtocolError) as exc:
            raise self._unreachable(f"the stream stalled or broke ({type(exc).__name__})") from None
        except openai.APIError as exc:
            raise LLMError(f"endpoint error: {self._detail(exc)}") from None

    def _unreachable(self, reason: str) -> LLMUnreachable:
        self._down = reason
        return LLMUnreachable(reason)

    def _detail(self, exc: Exception) -> str:
        message = " ".join(str(getattr(exc, "message", "") or exc or type(exc).__name__).split())
        return redact(message[:200], self._secret)


def _cause(exc: BaseException) -> str:
    return type(exc.__cause__ or exc).__name__


def response_format(dialect: JsonDialect, schema: dict) -> dict:
    if dialect == "json_schema":  # OpenAI, vLLM, Ollama
        return {"type": "json_schema", "json_schema": {"name": "result", "schema": schema, "strict": False}}
    return {"type": "json_object", "schema": schema}  # llama-cpp-python's server


def parse_json(completion: Completion, model: type[BaseModel]) -> BaseModel:
    text = completion.text.strip()
    if text.startswith("```"):
        text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        cut = " (cut off at max_tokens)" if completion.finish_reason == "length" else ""
        raise LLMError(f"malformed JSON from the model{cut}: {exc.msg} at char {exc.pos}") from exc
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(root)"
        raise LLMError(f"JSON does not match the schema at {where}: {first['msg']}") from exc
