"""`mockinterview bench`: prompt tokens per graded answer, packed prompt against a naive one.

The naive prompt stuffs the whole scorecard and the top 20 retrieved chunks; ours carries the key points,
the descriptors of the dimensions in play and the best passages, deduplicated, under max_context_tokens.
Token counts need no endpoint (tiktoken). With --llm both prompts are also sent, and the grades they give
are compared with the human labels, so a saving that costs agreement shows up.
"""
from __future__ import annotations

import statistics
import time

from agent.llm_prompts import grade_messages, naive_grade_messages, prompt_tokens
from evals import datasets
from evals.harness import QuestionLookup, progress
from evals.metrics import agreement
from knowledge.models import BEHAVIORAL_ROLE
from mockinterview.app import Services

NAIVE_CHUNKS = 20


def _related(services: Services, question, role: str, k: int):
    return [p for p in services.retriever.search(question.text, role=role, k=k) if p.section != question.section]


def run_bench(services: Services, offline, split: str = "test", limit: int = 20, llm_graders: tuple | None = None,
              show: bool = True) -> dict:
    lookup = QuestionLookup(services)
    items = datasets.grading_items(split)[:limit]
    budget = services.settings.llm_max_context_tokens
    rows = []
    for item in progress(items, "bench", show):
        question = lookup(item.role, item.question)
        card = services.scorecard_for(item.role)
        grade = offline.grade(question, item.answer, card)
        dims = [d for g in grade.dimensions if (d := card.dimension(g.dimension))]
        role = None if item.role == BEHAVIORAL_ROLE else item.role
        packed, _ = grade_messages(question, dims, _related(services, question, role, 6), item.answer, card.name, None, budget)
        naive = naive_grade_messages(question, card, services.retriever.search(question.text, role=role, k=NAIVE_CHUNKS),
                                     item.answer, card.name, None, [d.id for d in dims])
        row = {"id": item.id, "human": item.overall, "packed_tokens": prompt_tokens(packed), "naive_tokens": prompt_tokens(naive),
               "offline": grade.overall_level}
        if llm_graders:
            for name, grader, k in zip(("packed", "naive"), llm_graders, (6, NAIVE_CHUNKS)):
                started = time.perf_counter()
                result = grader.grade(question, item.answer, card, related=_related(services, question, role, k))
                row[f"{name}_llm"] = {"overall": result.overall_level, "engine": result.engine,
                                      "fallback_reason": result.fallback_reason,
                                      "prompt_tokens": result.usage.prompt_tokens if result.usage else 0,
                                      "seconds": round(time.perf_counter() - started, 2)}
        rows.append(row)
    packed_mean = statistics.mean(r["packed_tokens"] for r in rows)
    naive_mean = statistics.mean(r["naive_tokens"] for r in rows)
    report = {
        "split": split, "items": len(rows), "max_context_tokens": budget,
        "packed_prompt_tokens_mean": round(packed_mean, 1), "naive_prompt_tokens_mean": round(naive_mean, 1),
        "ratio": round(packed_mean / naive_mean, 3),
        "offline_agreement": agreement([r["human"] for r in rows], [r["offline"] for r in rows]),
        "rows": rows,
    }
    if llm_graders:
        for name in ("packed", "naive"):
            results = [r[f"{name}_llm"] for r in rows]
            report[f"{name}_llm"] = {
                "agreement": agreement([r["human"] for r in rows], [x["overall"] for x in results]),
                "llm_grades": sum(1 for x in results if x["engine"] == "llm"),
                "fallbacks": sum(1 for x in results if x["fallback_reason"]),
                "server_prompt_tokens_mean": round(statistics.mean(x["prompt_tokens"] for x in results), 1),
                "seconds_mean": round(statistics.mean(x["seconds"] for x in results), 2),
            }
    return report


def bench_table(report: dict) -> str:
    lines = [
        f"prompt tokens per graded answer ({report['items']} items, {report['split']} split, max_context_tokens {report['max_context_tokens']})",
        f"  packed (ours)   {report['packed_prompt_tokens_mean']:8.1f}",
        f"  naive           {report['naive_prompt_tokens_mean']:8.1f}",
        f"  ratio           {report['ratio']:8.3f}   (target <= 0.30)",
        f"offline grader on these items: QWK {report['offline_agreement']['qwk']:.3f}",
    ]
    for name in ("packed", "naive"):
        if f"{name}_llm" in report:
            r = report[f"{name}_llm"]
            lines.append(f"LLM with {name} prompt: QWK {r['agreement']['qwk']:.3f}, MAE {r['agreement']['mae']:.3f}, "
                         f"LLM grades {r['llm_grades']}/{report['items']}, fallbacks {r['fallbacks']}, "
                         f"server-counted prompt tokens {r['server_prompt_tokens_mean']}, {r['seconds_mean']} s per answer")
    return "\n".join(lines)
