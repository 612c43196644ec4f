"""Choosing the questions of an interview. Pure: retrieval results come in as ranked id lists."""
from __future__ import annotations

import random
from collections import Counter

from knowledge.models import GuideQuestion
from rubrics.schema import Scorecard


def category_targets(n: int, available: Counter) -> dict[str, int]:
    """A mix like a real loop: about a third behavioral, one design question per six, the rest technical."""
    targets = {
        "behavioral": max(1, round(n / 3)),
        "system-design": max(1, round(n / 6)) if n >= 3 else 0,
    }
    targets["technical"] = max(0, n - sum(targets.values()))
    for category in list(targets):
        targets[category] = min(targets[category], available.get(category, 0))
    return targets


def covers(question: GuideQuestion, dim_id: str, scorecard: Scorecard, ranked: dict[str, list[str]]) -> bool:
    dim = scorecard.dimension(dim_id)
    if dim is None:
        return False
    return dim_id in question.dimensions or question.topic in dim.topics or question.id in ranked.get(dim_id, [])[:5]


def plan_interview(
    questions: list[GuideQuestion],
    scorecard: Scorecard,
    n: int,
    seed: int | None,
    ranked: dict[str, list[str]] | None = None,
) -> list[GuideQuestion]:
    """Greedy set cover over scorecard dimensions, balanced by category, no repeats, seeded ties.

    `ranked` maps each dimension id to question ids ordered by retrieval similarity to the
    dimension's description; it lets guides without explicit `Dimensions:` lines still be covered.
    """
    ranked = ranked or {}
    rng = random.Random(seed)
    pool = {q.text.strip().lower(): q for q in questions}  # the same question in two guides is one question
    remaining = list(pool.values())
    rng.shuffle(remaining)
    targets = category_targets(n, Counter(q.category for q in remaining))
    uncovered = {d.id for d in scorecard.dimensions}
    weights = scorecard.normalised_weights()
    taken: Counter = Counter()
    plan: list[GuideQuestion] = []
    while remaining and len(plan) < n:
        def value(q: GuideQuestion, uncovered: set[str] = uncovered) -> float:
            gain = sum(weights[d] for d in uncovered if covers(q, d, scorecard, ranked))
            need = 1.0 if taken[q.category] < targets.get(q.category, 0) else 0.0
            authored = 0.0 if q.title_derived else 0.3  # prefer questions a guide wrote out over derived titles
            return 3.0 * gain + 2.0 * need + authored + 0.5 * rng.random()

        best = max(remaining, key=value)
        remaining.remove(best)
        plan.append(best)
        taken[best.category] += 1
        uncovered -= {d for d in uncovered if covers(best, d, scorecard, ranked)}
    order = {"behavioral": 0, "technical": 1, "system-design": 2}
    # Open with a story, end with design: the usual rhythm of an interview loop.
    return sorted(plan, key=lambda q: order.get(q.category, 1))


def uncovered_dimensions(plan: list[GuideQuestion], scorecard: Scorecard, ranked: dict[str, list[str]] | None = None) -> list[str]:
    ranked = ranked or {}
    return [d.id for d in scorecard.dimensions if not any(covers(q, d.id, scorecard, ranked) for q in plan)]
