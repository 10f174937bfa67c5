"""The one gateway for every LLM call: `complete(messages, response_model, ...)`.

It is the only module that imports litellm or instructor. Per call it:

- answers from the on-disk response cache when it can (key: model, API base, prompt
  id + version + hash, the messages and the response schema), so re-running costs nothing;
- otherwise asks the model through litellm (any litellm model string; `settings.llm_api_base`
  as `api_base`; keys only from each provider's own environment variables) with instructor
  validating the reply against `response_model`: a reply that breaks the schema or a
  validator goes back to the model with the error, at most `max_retries` times;
- retries transient failures (429, 408/409, 5xx, timeouts, refused connections) with
  litellm's retry policy (`should_retry`, and `calculate_retry_after`: exponential backoff
  with jitter, or the server's Retry-After), each request capped by `settings.llm_timeout`
  and the whole call by `settings.llm_deadline`: it never runs past the deadline;
- writes one row to the call log (`llm_log.py`) whatever happens. No key is ever logged:
  error messages are scrubbed of key-like values before they are stored or raised.

Failures raise `LLMError(model=, attempts=, cause=<error class>)`; callers fall back.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import threading
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError, ValidationInfo

from .. import environment
from ..config import Settings
from ..errors import ConfigError, LLMError
from . import log as llm_log

__all__ = ["HTTP_RETRIES", "MAX_RETRIES", "LLMResult", "complete", "redact", "validation_context"]

T = TypeVar("T", bound=BaseModel)

MAX_RETRIES = 2  # re-asks after a reply that fails validation (so at most 3 replies)
HTTP_RETRIES = 3  # retries of one request on a transient failure
_MIN_REQUEST_SECONDS = 0.05


@dataclass
class LLMResult(Generic[T]):
    value: T
    model: str
    cache_hit: bool
    requests: int  # HTTP requests sent (0 on a cache hit)
    replies: int  # replies received; all but the last failed validation and went back to the model
    call_id: int | None = None


_CONTEXT: ContextVar[dict | None] = ContextVar("imr_llm_validation_context", default=None)


def validation_context(info: ValidationInfo) -> dict:
    """The `validation_context` of the `complete` call being validated, for a response model's validators.

    It does not travel as instructor's `context`, because instructor also renders the
    messages as Jinja templates with that context: the letter text would be a template.
    """
    return info.context or _CONTEXT.get() or {}


class _DeadlineExceeded(Exception):
    pass


@dataclass
class _Call:
    """What one `complete` call did, shared with the worker thread."""

    deadline: float
    timeout: float
    requests: int = 0
    usage: list[tuple[int, int, float | None]] = field(default_factory=list)  # per reply: tokens in, out, cost
    retried: list[str] = field(default_factory=list)


_KEYLIKE = re.compile(r"\b(?:sk|pk|rk|ak|key)-[A-Za-z0-9_\-]{8,}|\bBearer\s+\S+", re.I)


def redact(text: str) -> str:
    """The text with API keys (values of *_KEY/*_TOKEN/*_SECRET env vars, and key-like strings) removed."""
    for name, value in os.environ.items():
        if value and len(value) >= 6 and re.search(r"(KEY|TOKEN|SECRET|PASSWORD)$", name, re.I):
            text = text.replace(value, "[redacted]")
    return _KEYLIKE.sub("[redacted]", text)


def _litellm():
    environment.for_litellm()  # before litellm is imported: its bundled tables, nothing fetched
    import litellm

    litellm.suppress_debug_info = True
    litellm.telemetry = False
    # Failures are reported once, by us (call log, notes); not also by these loggers on stderr.
    for name in ("LiteLLM", "LiteLLM Router", "LiteLLM Proxy", "httpx", "instructor"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return litellm


def _send(call: _Call, litellm, **kwargs: Any) -> Any:
    """One chat completion, retried on transient failures within the deadline."""
    from litellm.utils import calculate_retry_after, should_retry

    for attempt in range(HTTP_RETRIES + 1):
        remaining = call.deadline - time.monotonic()
        if remaining < _MIN_REQUEST_SECONDS:
            raise _DeadlineExceeded()
        call.requests += 1
        try:
            response = litellm.completion(**kwargs, timeout=min(call.timeout, remaining), num_retries=0, max_retries=0)
        except Exception as exc:
            code = getattr(exc, "status_code", None)
            if attempt == HTTP_RETRIES or not isinstance(code, int) or not should_retry(code):
                raise
            headers = getattr(getattr(exc, "response", None), "headers", None)
            wait = calculate_retry_after(HTTP_RETRIES - attempt, HTTP_RETRIES, headers)
            if time.monotonic() + wait + _MIN_REQUEST_SECONDS >= call.deadline:
                raise
            call.retried.append(type(exc).__name__)
            time.sleep(wait)
            continue
        call.usage.append(_usage(litellm, response))
        return response
    raise AssertionError("unreachable")


def _run_before(deadline: float, work):
    """Run `work()` in a daemon thread; give up (the thread is abandoned) at the deadline."""
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller
            box["error"] = exc

    worker = threading.Thread(target=target, name="imr-llm-call", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()) + 0.25)
    if worker.is_alive():
        raise _DeadlineExceeded()
    if "error" in box:
        raise box["error"]
    return box["value"]


def _cause(exc: BaseException) -> tuple[str, str]:
    """(error class, message) of a failure, looking through instructor's retry wrapper."""
    from instructor.core.exceptions import InstructorRetryException, ResponseParsingError

    if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
        inner = exc.__cause__
        if isinstance(inner, ValidationError):
            first = inner.errors()[0]
            where = ".".join(str(part) for part in first.get("loc", ())) or "reply"
            return "ValidationError", f"no valid reply after {exc.n_attempts} attempt(s): {where}: {first['msg']}"
        if isinstance(inner, (json.JSONDecodeError, ResponseParsingError)):
            return "ValidationError", f"no valid reply after {exc.n_attempts} attempt(s): {inner}"
        exc = inner
    if isinstance(exc, _DeadlineExceeded):
        return "DeadlineExceeded", "no answer before the deadline"
    return type(exc).__name__, str(exc)


_PREFIXES = re.compile(r"^(?:(?:litellm\.)?[A-Za-z]*(?:Error|Exception|Timeout): )+")


def _usage(litellm, response: Any) -> tuple[int, int, float | None]:
    """Tokens and cost of one reply, read before instructor folds usage totals into it."""
    usage = getattr(response, "usage", None)
    try:
        cost: float | None = float(litellm.completion_cost(completion_response=response))
    except Exception:  # noqa: BLE001 - litellm does not know this model's prices
        cost = None
    return getattr(usage, "prompt_tokens", 0) or 0, getattr(usage, "completion_tokens", 0) or 0, cost


def _totals(call: _Call) -> dict[str, Any]:
    if not call.usage:
        return {"input_tokens": None, "output_tokens": None, "cost_usd": None}
    costs = [cost for _, _, cost in call.usage]
    return {"input_tokens": sum(u[0] for u in call.usage), "output_tokens": sum(u[1] for u in call.usage),
            "cost_usd": None if None in costs else sum(costs)}


def _cache_key(settings: Settings, prompt: llm_log.PromptRef, messages: list[dict], response_model: type) -> str:
    schema = json.dumps(response_model.model_json_schema(), sort_keys=True)
    blob = json.dumps({"model": settings.llm_model, "api_base": settings.llm_api_base or "", "prompt": prompt.id,
                       "version": prompt.version, "hash": prompt.hash, "messages": messages,
                       "schema": hashlib.sha256(schema.encode()).hexdigest()}, sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()


def complete(messages: list[dict[str, str]], response_model: type[T], *, settings: Settings, prompt_id: str,
             validation_context: dict[str, Any] | None = None, max_retries: int = MAX_RETRIES,
             deadline: float | None = None) -> LLMResult[T]:
    """Ask `settings.llm_model` for a `response_model`, validated, cached and logged.

    `prompt_id` names the prompt file ('task/vN', see `imr_llm.llm.prompts`); its version and
    hash go into the log and the cache key. `validation_context` reaches the response
    model's validators through `validation_context(info)`; a value served from the cache
    is validated again with `from_cache=True` added, so validators can tell that nothing
    can be re-asked. `deadline` is a `time.monotonic()` instant (default: now +
    `settings.llm_deadline`, counted once litellm is imported).
    """
    model = settings.llm_model
    if not model:
        raise ConfigError("no LLM model is set (IMR_LLM_MODEL or --model)", setting="IMR_LLM_MODEL")
    started = time.monotonic()
    prompt = llm_log.prompt_ref(prompt_id, messages)
    key = _cache_key(settings, prompt, messages, response_model)
    row = {"model": model, "prompt": prompt, "input_hash": key[:16]}

    cached = llm_log.cache_get(settings, key)
    if cached is not None:
        try:
            context = {**(validation_context or {}), "from_cache": True}
            value = response_model.model_validate_json(cached, context=context)
        except ValidationError:
            value = None  # the schema changed since: ask again
        if value is not None:
            call_id = llm_log.log_call(settings, **row, cache_hit=True, requests=0, replies=0, outcome="ok",
                                       latency_ms=int((time.monotonic() - started) * 1000))
            return LLMResult(value, model, cache_hit=True, requests=0, replies=0, call_id=call_id)

    # Import here, not in the worker: an abandoned worker must never hold an import lock.
    # The deadline bounds the wait for the model; it starts after this one-time import.
    environment.for_litellm()  # instructor may import litellm
    import instructor
    from instructor.core import exceptions as _  # noqa: F401 - used by _cause

    litellm = _litellm()
    started = time.monotonic()
    deadline = deadline if deadline is not None else started + settings.llm_deadline
    call = _Call(deadline=deadline, timeout=settings.llm_timeout)

    def work() -> BaseModel:
        def send(**kwargs: Any) -> Any:
            return _send(call, litellm, **kwargs)

        _CONTEXT.set(validation_context)  # this thread's own context
        client = instructor.from_litellm(send, mode=instructor.Mode.MD_JSON)
        extra = {"api_base": settings.llm_api_base} if settings.llm_api_base else {}
        return client.create(model=model, messages=messages, response_model=response_model, max_retries=max_retries,
                             strict=False, **extra)

    value, error = None, None
    try:
        value = _run_before(deadline, work)
    except Exception as exc:  # noqa: BLE001 - every failure is logged, then raised as LLMError
        error = exc
    stats = dict(requests=call.requests, replies=len(call.usage), **_totals(call), retried=",".join(call.retried),
                 latency_ms=int((time.monotonic() - started) * 1000))
    if error is not None:
        error_class, message = _cause(error)
        message = _PREFIXES.sub("", message.strip().splitlines()[0] if message.strip() else error_class)
        message = redact(message)[:300]
        llm_log.log_call(settings, **row, **stats, cache_hit=False, outcome="error", error_class=error_class,
                         error=message)
        raise LLMError(f"{model}: {error_class}: {message}", model=model, attempts=call.requests,
                       cause=error_class) from None
    assert isinstance(value, response_model)
    llm_log.cache_put(settings, key, model, prompt, value.model_dump_json())
    call_id = llm_log.log_call(settings, **row, **stats, cache_hit=False, outcome="ok")
    return LLMResult(value, model, cache_hit=False, requests=call.requests, replies=len(call.usage),
                     call_id=call_id)
