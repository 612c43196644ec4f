"""Session and grade reports: the JSON contract scripts rely on, and Markdown for people."""
from __future__ import annotations

from typing import Any

from agent.schemas import DimensionGrade, Grade, Session, TokenUsage


def dimension_json(d: DimensionGrade) -> dict[str, Any]:
    return {"dimension": d.dimension, "name": d.name, "level": d.level, "score": d.score,
            "evidence": list(d.evidence), "reason": d.reason}


def grade_json(grade: Grade, item_id: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"id": item_id} if item_id is not None else {}
    out.update({
        "overall_level": grade.overall_level,
        "recommendation": grade.recommendation,
        "dimensions": [dimension_json(d) for d in grade.dimensions],
        "feedback": grade.feedback.model_dump(mode="json"),
        "junk": grade.junk,
        "flags": grade.flags,
        "engine": grade.engine,
    })
    if grade.fallback_reason:
        out["fallback_reason"] = grade.fallback_reason
    if grade.engine == "llm":
        out["offline_overall"] = grade.offline_overall
        out["disagreements"] = grade.disagreements
    if grade.usage is not None:
        out["usage"] = usage_json(grade.usage)
    return out


def usage_json(usage: TokenUsage) -> dict[str, Any]:
    return {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
            "calls": usage.calls, "estimated": usage.estimated}


def session_json(session: Session) -> dict[str, Any]:
    turns = []
    for turn in session.turns:
        grade = turn.grade
        turns.append({
            "question": turn.question.text,
            "category": turn.question.category,
            "status": turn.status,
            "answer": turn.answer,
            "probes": [{"gap": p.gap, "question": p.question, "answer": p.answer} for p in turn.probes],
            "dimensions": [dimension_json(d) for d in grade.dimensions] if grade else [],
            "overall_level": grade.overall_level if grade else None,
            "feedback": grade.feedback.model_dump(mode="json") if grade else None,
            "engine": grade.engine if grade else None,
            **({"fallback_reason": grade.fallback_reason} if grade and grade.fallback_reason else {}),
            **({"disagreements": grade.disagreements} if grade and grade.disagreements else {}),
            "usage": usage_json(turn.usage),
            "notes": list(turn.notes),
        })
    return {
        "session_id": session.id,
        "role": session.role,
        "status": session.status,
        "turns": turns,
        "dimensions": [dimension_json(d) for d in session.dimension_summary],
        "overall_level": session.overall_level,
        "recommendation": session.recommendation,
        "usage": usage_json(session.usage()),
    }


def grade_markdown(grade: Grade, title: str = "Critique") -> str:
    lines = [f"### {title}: {grade.overall_level:.2f} / 4 ({grade.recommendation}) · engine: {grade.engine}"]
    if grade.fallback_reason:
        lines.append(f"_LLM grade unavailable, this is the offline grade: {grade.fallback_reason}_")
    if grade.engine == "llm" and grade.offline_overall is not None:
        lines.append(f"_Offline grader beside it: {grade.offline_overall:.2f} / 4_")
    if grade.usage is not None and grade.usage.calls:
        lines.append(f"_LLM tokens: {grade.usage.prompt_tokens} prompt + {grade.usage.completion_tokens} completion"
                     f" in {grade.usage.calls} call(s){' (estimated)' if grade.usage.estimated else ''}_")
    if grade.junk:
        lines.append(f"**Not gradable:** {grade.junk}")
    lines.extend(f"**Flag:** {flag}" for flag in grade.flags)
    lines.append("")
    lines.append("| Dimension | Level | Evidence from the answer | Why |")
    lines.append("|---|---|---|---|")
    for d in grade.dimensions:
        evidence = " / ".join(f"“{_cell(e)}”" for e in d.evidence) or "—"
        lines.append(f"| {d.name or d.dimension} | {d.level} ({d.score:.2f}) | {evidence} | {_cell(d.reason)} |")
    fb = grade.feedback
    if fb.strengths:
        lines += ["", "**Strong:**", *[f"- {s}" for s in fb.strengths]]
    if fb.missing:
        lines += ["", "**Missing:**", *[f"- {m}" for m in fb.missing]]
    if fb.key_points:
        lines += ["", "**What a strong answer contains:**", *[f"- {k}" for k in fb.key_points]]
    if fb.improved_answer:
        lines += ["", "**Your answer, improved (LLM; keeps your facts):**", "", f"> {fb.improved_answer}"]
    elif fb.fallback_reason:
        lines += ["", f"_LLM critique unavailable: {fb.fallback_reason}_"]
    if fb.model_answer:
        lines += ["", "**Model answer:**", "", f"> {fb.model_answer}"]
    if fb.citations:
        lines += ["", "**Sources:** " + "; ".join(str(c) for c in fb.citations)]
    if fb.related:  # passages near the question: reading, not what the grade rests on
        lines += ["", "**Related reading:** " + "; ".join(str(c) for c in fb.related)]
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def session_markdown(session: Session) -> str:
    lines = [f"# Mock interview report: {session.role_name or session.role}", f"Session `{session.id}`", ""]
    if session.overall_level is not None:
        lines.append(f"**Overall: {session.overall_level:.2f} / 4 · recommendation: {session.recommendation}**")
        engines = sorted({t.grade.engine for t in session.turns if t.grade})
        usage = session.usage()
        lines.append(f"Graded by: {', '.join(engines) or 'none'}" + (
            f" · LLM tokens: {usage.prompt_tokens} prompt + {usage.completion_tokens} completion in {usage.calls} calls"
            f"{' (partly estimated)' if usage.estimated else ''}" if usage.calls else ""))
        lines += ["", "| Dimension | Level | Score |", "|---|---|---|"]
        for d in session.dimension_summary:
            lines.append(f"| {d.name} | {d.level} | {'█' * round(d.score * 3)} {d.score:.2f} |")
    for number, turn in enumerate(session.turns, 1):
        lines += ["", f"## {number}. {turn.question.text}", f"_{turn.question.category} · {turn.status}_", ""]
        if turn.answer:
            lines.append(f"**Answer:** {turn.answer}")
        for probe in turn.probes:
            lines.append(f"**Follow-up ({probe.gap}):** {probe.question}")
            lines.append(f"**Answer:** {probe.answer or '—'}")
        for note in turn.notes:
            lines.append(f"_Note: {note}_")
        if turn.grade:
            lines += ["", grade_markdown(turn.grade, title="Grade")]
    return "\n".join(lines)
