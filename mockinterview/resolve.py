"""Turning a free-text question into a guide question record (or an ad-hoc one) for grading."""
from __future__ import annotations

from knowledge.models import GuideQuestion, stable_id
from knowledge.labels import infer_category, infer_topic
from mockinterview.app import Services

SAME_QUESTION = 0.9


def resolve_question(services: Services, text: str, role: str | None, reference: str | None = None) -> GuideQuestion:
    """The guide's record when the question is one of ours (so its key points apply), else an ad-hoc one."""
    text = text.strip()
    hits = services.retriever.search(text, role=role, k=1, kind="questions") if text else []
    if hits and hits[0].score >= SAME_QUESTION and hits[0].question_id:
        found = services.catalog.question(hits[0].question_id)
        if found is not None:
            return found.model_copy(update={"model_answer": reference}) if reference else found
    return GuideQuestion(
        id=stable_id(role or "adhoc", text),
        role=role or "general",
        text=text or "(no question given)",
        category=infer_category(text),  # type: ignore[arg-type]
        topic=infer_topic(text),
        model_answer=reference or "",
        source="" if not reference else "reference answer (given)",
    )
