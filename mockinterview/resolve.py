"""Turning a free-text question into a guide question record (or an ad-hoc one) for grading."""
from __future__ import annotations

from knowledge.labels import infer_category, infer_topic
from knowledge.models import GuideQuestion, stable_id
from mockinterview.app import Services

SAME_QUESTION = 0.85  # the questions index embeds question + key points, so a verbatim question scores below 1
CLOSE_ENOUGH = 0.6  # a neighbour whose key points and model answer can stand in for the missing ones


def resolve_question(services: Services, text: str, role: str | None, reference: str | None = None) -> GuideQuestion:
    """The guide's record when the question is one of ours (so its key points apply), else an ad-hoc one.

    An ad-hoc question without a reference borrows the key points and model answer of the closest guide
    question when one is close. Otherwise it stays bare (the question alone) and the grader uses its
    question-only model: glued guide passages about a neighbouring topic are no reference, and grading
    against one marked good answers down to level 1.
    """
    text = text.strip()
    exact = {q.text.strip().lower(): q for q in services.catalog.questions(role)} if role else {}
    found = exact.get(text.lower())
    hits = services.retriever.search(text, role=role, k=1, kind="questions") if text and found is None else []
    if found is None and hits and hits[0].score >= SAME_QUESTION and hits[0].question_id:
        found = services.catalog.question(hits[0].question_id)
    if found is not None:
        return found.model_copy(update={"model_answer": reference}) if reference else found
    adhoc = GuideQuestion(
        id=stable_id(role or "adhoc", text),
        role=role or "general",
        text=text or "(no question given)",
        category=infer_category(text),  # type: ignore[arg-type]
        topic=infer_topic(text),
        model_answer=reference or "",
        source="reference answer (given)" if reference else "",
    )
    if reference or not text:
        return adhoc
    neighbour = services.catalog.question(hits[0].question_id) if hits and hits[0].score >= CLOSE_ENOUGH and hits[0].question_id else None
    if neighbour is not None:
        return adhoc.model_copy(update={
            "key_points": neighbour.key_points, "weak_signals": neighbour.weak_signals,
            "strong_signals": neighbour.strong_signals, "model_answer": neighbour.model_answer,
            "dimensions": neighbour.dimensions, "source": neighbour.source, "section": neighbour.section,
        })
    return adhoc
