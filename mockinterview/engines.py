"""Choosing the engines: the offline grader always; the LLM layer on top when configured (LLM issue)."""
from __future__ import annotations

from agent.bank import QuestionBank
from agent.grader import OfflineGrader
from agent.interviewer import Interviewer
from agent.store import SessionStore
from mockinterview.app import Services


def build_grader(services: Services) -> OfflineGrader:
    from agent.trained import load_default_scorer

    bank = QuestionBank(services.catalog.questions(), services.embedder.encode)
    return OfflineGrader(services.embedder.encode, scorer=load_default_scorer(), bank=bank)


def build_interviewer(services: Services, use_llm: bool | None = None) -> Interviewer:
    store = SessionStore(services.settings.sessions_db)
    return Interviewer(services, build_grader(services), store)
