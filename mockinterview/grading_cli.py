"""`mockinterview grade`: one answer from flags, or many from JSON Lines, in input order."""
from __future__ import annotations

import json
from pathlib import Path

import click

from agent.report import grade_json, grade_markdown
from mockinterview.app import Services
from mockinterview.engines import build_grader
from mockinterview.errors import AnswerError, MockInterviewError
from mockinterview.resolve import resolve_question


def read_jsonl(path: Path) -> list[tuple[int, dict | None, str | None]]:
    """(line number, item or None, error or None) for every non-blank line; bad lines do not stop the run."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise MockInterviewError(f"{path}: cannot read ({exc})") from exc
    items = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            items.append((number, None, f"{path}:{number}: not valid JSON ({exc.msg})"))
            continue
        if not isinstance(item, dict) or not isinstance(item.get("answer"), str) or not isinstance(item.get("question", ""), str):
            items.append((number, None, f"{path}:{number}: needs string fields 'question' and 'answer'"))
            continue
        items.append((number, item, None))
    return items


def grade_one(services: Services, grader, item: dict, critique: bool = True) -> dict:
    role = item.get("role") or None
    if role:
        services.require_role(role)
    answer = item["answer"]
    limit = services.settings.max_answer_chars
    if len(answer) > limit:
        raise AnswerError(f"answer is {len(answer):,} characters; the limit is {limit:,}")
    reference = item.get("reference") or None
    question = resolve_question(services, item.get("question", ""), role, reference)
    scorecard = services.scorecard_for(role) if role else services.scorecard_for("general")
    related = services.retriever.search(question.text, role=role, k=6) if question.text else []
    grade = grader.grade(question, answer, scorecard, reference=reference, related=related, critique=critique)
    return grade_json(grade, item.get("id"))


def run_grade(services: Services, role, question, answer, reference, jsonl: Path | None, as_json: bool, use_llm,
              critique: bool | None = None) -> None:
    grader = build_grader(services, use_llm)
    critique = (jsonl is None) if critique is None else critique  # an LLM critique per line doubles the cost of a batch
    if jsonl is None:
        if answer is None:
            raise click.UsageError("give --answer (and --question), or --jsonl FILE")
        items = [(1, {"role": role, "question": question or "", "answer": answer, "reference": reference}, None)]
    else:
        items = read_jsonl(jsonl)
    failures = 0
    for number, item, read_error in items:
        error = read_error
        if error is None and item is not None:
            try:
                result = grade_one(services, grader, item, critique)
            except MockInterviewError as exc:
                error = f"line {number}: {exc}" if jsonl else str(exc)
        if error is not None:
            failures += 1
            click.echo(f"error: {error}", err=True)
            if as_json:
                click.echo(json.dumps({"id": item.get("id") if item else None, "error": error}, ensure_ascii=False))
            continue
        if as_json:
            click.echo(json.dumps(result, ensure_ascii=False))
        else:
            from agent.schemas import Grade

            click.echo(grade_markdown(Grade.model_validate({k: v for k, v in result.items() if k != "id"}),
                                      title=f"Item {item.get('id', number)}" if jsonl else "Critique"))
    if failures and failures == len(items):
        raise MockInterviewError("no item could be graded")
