"""Choosing the engines: the offline grader always; the LLM on top when configured (or asked for with --llm)."""
from __future__ import annotations

from agent.bank import QuestionBank
from agent.grader import OfflineGrader
from agent.interviewer import Interviewer
from agent.store import SessionStore
from mockinterview.app import Services
from mockinterview.errors import ConfigError
from rubrics.loader import GENERAL_ROLE


def wants_llm(services: Services, use_llm: bool | None) -> bool:
    """--llm: required (an error without an endpoint); --no-llm: never; neither: when an endpoint is configured."""
    if use_llm and not services.settings.llm_enabled:
        raise ConfigError("--llm needs an endpoint: set MOCKINTERVIEW_LLM_BASE_URL (or OPENAI_BASE_URL) and MOCKINTERVIEW_LLM_MODEL")
    return services.settings.llm_enabled if use_llm is None else bool(use_llm)


def offline_grader(services: Services) -> OfflineGrader:
    from agent.trained import load_default_scorer

    bank = QuestionBank(services.catalog.questions(), services.embedder.encode)
    return OfflineGrader(services.embedder.encode, scorer=load_default_scorer(), bank=bank)


def llm_client(services: Services):
    from agent.llm_client import LLMClient

    return LLMClient(services.settings)


def build_grader(services: Services, use_llm: bool | None = None, client=None):
    """The offline grader, or the LLM grader wrapped around it."""
    offline = offline_grader(services)
    if not wants_llm(services, use_llm):
        return offline
    from agent.llm_grader import LLMGrader

    return LLMGrader(offline, client or llm_client(services), services.settings.llm_max_context_tokens,
                     retrieve=lambda query, role: services.retriever.search(query, role=None if role == GENERAL_ROLE else role, k=6),
                     max_output_tokens=services.settings.llm_max_output_tokens)


def build_interviewer(services: Services, use_llm: bool | None = None) -> Interviewer:
    store = SessionStore(services.settings.sessions_db)
    if not wants_llm(services, use_llm):
        return Interviewer(services, offline_grader(services), store)
    from agent.phrasing import LLMPhraser

    client = llm_client(services)
    return Interviewer(services, build_grader(services, True, client), store,
                       phraser=LLMPhraser(client, services.settings.llm_max_context_tokens), on_new_step=client.new_turn)
