"""Choosing the engines: the offline grader always; the LLM layer on top when configured (LLM issue)."""
from __future__ import annotations

from agent.bank import QuestionBank
from agent.grader import OfflineGrader
from agent.interviewer import Interviewer
from agent.store import SessionStore
from mockinterview.app import Services
from mockinterview.errors import ConfigError


def require_offline(use_llm: bool | None) -> None:
    """`--llm` is accepted by the CLI so scripts can name it, but LLM mode is not built yet: say so, do not ignore it."""
    if use_llm:
        raise ConfigError("LLM mode is not available in this version; run without --llm (the offline engine is the default)")


def build_grader(services: Services, use_llm: bool | None = None) -> OfflineGrader:
    require_offline(use_llm)
    from agent.trained import load_default_scorer

    bank = QuestionBank(services.catalog.questions(), services.embedder.encode)
    return OfflineGrader(services.embedder.encode, scorer=load_default_scorer(), bank=bank)


def build_interviewer(services: Services, use_llm: bool | None = None) -> Interviewer:
    store = SessionStore(services.settings.sessions_db)
    return Interviewer(services, build_grader(services, use_llm), store)
