"""The LLM seam: a Protocol and the adapter for any OpenAI-compatible endpoint (structured output)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from analysis.fixes.llm import ANSWER_SCHEMA

from ..deps import Deps
from ..settings import Settings


class FixModel(Protocol):
    async def propose(self, messages: Sequence[dict[str, str]], *, max_tokens: int) -> str:
        """The model's JSON answer (``analysis.fixes.llm.ANSWER_SCHEMA``) as text."""

    async def explain(self, messages: Sequence[dict[str, str]], *, max_tokens: int) -> str:
        """A Markdown explanation."""


class ModelError(Exception):
    """The endpoint failed or answered nothing usable."""


class OpenAIFixModel:
    def __init__(self, *, base_url: str | None, api_key: str | None, model: str, timeout: float = 60.0) -> None:
        from openai import AsyncOpenAI

        # The openai client keeps its own HTTP pool; a local server needs no key, so a placeholder is sent.
        self._client = AsyncOpenAI(base_url=base_url, api_key=api_key or "unused", timeout=timeout, max_retries=1)
        self.model = model

    async def _complete(self, messages: Sequence[dict[str, str]], max_tokens: int, **extra: Any) -> str:
        import openai

        try:
            response = await self._client.chat.completions.create(
                model=self.model,
                messages=list(messages),  # type: ignore[arg-type]
                max_tokens=max_tokens,
                temperature=0,
                **extra,
            )
        except openai.OpenAIError as exc:
            raise ModelError(f"{type(exc).__name__}: {str(exc)[:300]}") from exc
        if not response.choices or not response.choices[0].message.content:
            raise ModelError("the model returned no content")
        content: str = response.choices[0].message.content
        return content

    async def propose(self, messages: Sequence[dict[str, str]], *, max_tokens: int) -> str:
        return await self._complete(
            messages,
            max_tokens,
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "ci_triage_fix", "schema": ANSWER_SCHEMA, "strict": True},
            },
        )

    async def explain(self, messages: Sequence[dict[str, str]], *, max_tokens: int) -> str:
        return await self._complete(messages, max_tokens)

    async def close(self) -> None:
        await self._client.close()


def model_from_settings(settings: Settings) -> OpenAIFixModel | None:
    """The configured model, or None (fixes then come from history and rules only)."""
    if not settings.llm_model or (not settings.openai_base_url and not settings.openai_api_key):
        return None
    return OpenAIFixModel(base_url=settings.openai_base_url, api_key=settings.openai_api_key, model=settings.llm_model)


async def install_fix_model(deps: Deps) -> None:
    """``deps.services.fix_model`` when an LLM is configured (OPENAI_BASE_URL/OPENAI_API_KEY + LLM_MODEL)."""
    model = model_from_settings(deps.settings)
    if model is None:
        return
    deps.services.fix_model = model
    deps.services.closers.append(model.close)
