"""`mockinterview eval`: run the grader, prober and retriever over the evaluation sets and report."""
from __future__ import annotations

import json
import math
import time
from collections import defaultdict
from pathlib import Path

from tqdm import tqdm

from agent.junk import detect_junk
from agent.probing import decide_probe
from evals import datasets
from evals.metrics import agreement, pearson_interval, probe_metrics, qwk, retrieval_metrics, to_level
from evals.perturbations import REWRITES
from knowledge.models import BEHAVIORAL_ROLE, GuideQuestion
from mockinterview.app import Services
from mockinterview.resolve import resolve_question

SETS = ("grading", "short-answer", "probe", "retrieval", "adversarial", "robustness")
# metric path -> direction; `eval --check` fails when a metric moves the wrong way by more than the tolerance
CHECKED = {
    "grading.overall.qwk": "higher",
    "grading.overall.within_one": "higher",
    "grading.dimensions_min_qwk": "higher",
    "grading.question_only.overall.qwk": "higher",
    "grading.counter_voice.qwk": "higher",
    "grading.other_voices.qwk": "higher",
    "short_answer.pearson": "higher",
    "probe.f1": "higher",
    "probe.gap_accuracy": "higher",
    "retrieval.recall@5": "higher",
    "retrieval.mrr": "higher",
    "adversarial.max_increase": "lower",
    "adversarial.junk_above_level_1": "lower",
    "robustness.mean_abs_shift": "lower",
    "robustness.worst_mean_abs_shift": "lower",
}


class QuestionLookup:
    """Evaluation items quote guide questions verbatim; find their records (key points, model answer)."""

    def __init__(self, services: Services):
        self.services = services
        self.by_text = {q.text.strip().lower(): q for q in services.catalog.questions()}

    def __call__(self, role: str, text: str) -> GuideQuestion:
        found = self.by_text.get(text.strip().lower())
        return found or resolve_question(self.services, text, role)


def progress(items, desc: str, show: bool):
    return tqdm(items, desc=desc, unit="item", disable=not show, leave=False)


def eval_grading(services: Services, grader, split: str, show: bool) -> dict:
    """Agreement with the raters, grading each answer against its guide question; then again against the
    question's words alone, as a team's own question with no reference is graded (`question_only`)."""
    lookup = QuestionLookup(services)
    items = datasets.grading_items(split)
    questions = [lookup(item.role, item.question) for item in items]
    result = _grade_items(services, grader, items, questions, "grading", show)
    bare = _grade_items(services, grader, items, [q.question_only() for q in questions], "grading (question only)", show)
    counter = {i.id for i in items if i.counter_voice}
    subsets = {flag: [r for r in result["items"] if (r["id"] in counter) == flag] for flag in (True, False)}
    by_flag = {flag: agreement([r["overall"] for r in rows], [r["predicted"] for r in rows]) for flag, rows in subsets.items()}
    return {"split": split, **result, "human_human": human_agreement(), "human_human_split": human_agreement(split),
            "counter_voice": by_flag[True], "other_voices": by_flag[False],
            "question_only": {k: bare[k] for k in ("overall", "dimensions", "dimensions_min_qwk")}}


def _grade_items(services: Services, grader, items: list, questions: list[GuideQuestion], desc: str, show: bool) -> dict:
    per_dim_truth: dict[str, list[int]] = defaultdict(list)
    per_dim_pred: dict[str, list[float]] = defaultdict(list)
    overall_truth, overall_pred, rows = [], [], []
    for item, question in progress(list(zip(items, questions)), desc, show):
        grade = grader.grade(question, item.answer, services.scorecard_for(item.role))
        scores = {d.dimension: d.score for d in grade.dimensions}
        for dim, level in item.labels.items():
            if dim in scores:
                per_dim_truth[dim].append(level)
                per_dim_pred[dim].append(scores[dim])
        overall_truth.append(item.overall)
        overall_pred.append(grade.overall_level)
        rows.append({"id": item.id, "overall": item.overall, "predicted": grade.overall_level})
    dims = {d: agreement(per_dim_truth[d], per_dim_pred[d]) for d in sorted(per_dim_truth)}
    dim_qwks = [m["qwk"] for m in dims.values() if m["n"] >= 10 and not math.isnan(m["qwk"])]
    return {
        "overall": agreement(overall_truth, overall_pred),
        "dimensions": dims,
        "dimensions_min_qwk": min(dim_qwks) if dim_qwks else float("nan"),
        "items": rows,
    }


def human_agreement(split: str | None = None) -> dict:
    """Agreement between the two independent labelings, where an item has both: the grader's ceiling. Over the
    whole set, or over one split's answers (the ceiling for the answers the grader was measured on)."""
    doubles = [i for i in datasets.grading_items(split) if i.overall_2 is not None]
    if not doubles:
        return {"n": 0}
    dim_a, dim_b = [], []
    for item in doubles:
        for dim, level in (item.labels_2 or {}).items():
            if dim in item.labels:
                dim_a.append(item.labels[dim])
                dim_b.append(level)
    overall = agreement([i.overall for i in doubles], [float(i.overall_2) for i in doubles])
    return {"n": len(doubles), "overall_qwk": overall["qwk"], "overall_exact": overall["exact"],
            "overall_within_one": overall["within_one"], "dimension_qwk": qwk(dim_a, dim_b)}


def eval_probe(services: Services, grader, show: bool) -> dict:
    lookup = QuestionLookup(services)
    truth, predicted, rows = [], [], []
    for item in progress(datasets.probe_items(), "probe", show):
        question = lookup(item.role, item.question)
        card = services.scorecard_for(item.role)
        analysis = grader.analyze(question, item.answer)
        junk = detect_junk(analysis)
        estimate = 1.0 if junk else grader.estimate(question, analysis, card)
        gap = decide_probe(question, analysis, junk, estimate, []).gap
        truth.append((item.probe, item.gap))
        predicted.append((gap is not None, gap or "none"))
        rows.append({"id": item.id, "gap": item.gap, "predicted": gap or "none"})
    result = probe_metrics(truth, predicted)
    result["items"] = rows
    return result


def eval_retrieval(services: Services, show: bool, k: int = 5) -> dict:
    ranks: list[int | None] = []
    rows = []
    for item in progress(datasets.retrieval_items(), "retrieval", show):
        role = item.role if item.role and item.role != BEHAVIORAL_ROLE else None
        hits = services.retriever.search(item.query, role=role, k=k)
        rank = next((n for n, h in enumerate(hits, 1)
                     if h.source == item.source and item.section_contains.lower() in h.section.lower()), None)
        ranks.append(rank)
        rows.append({"id": item.id, "rank": rank})
    result = retrieval_metrics(ranks, k)
    result["items"] = rows
    return result


def eval_short_answer(services: Services, grader, split: str, show: bool) -> dict:
    """Reference-answer grading the way `grade --jsonl` does it (question, answer, reference; no role):
    Pearson of `overall_level` with the raters' mean score, beside the two raters' own Pearson."""
    from scipy.stats import pearsonr, spearmanr

    from mockinterview.grading_cli import grade_one

    items = datasets.short_answer_items(split)
    predicted, truth, rows = [], [], []
    for item in progress(items, "short-answer", show):
        result = grade_one(services, grader, {"id": item.id, "question": item.question, "answer": item.answer,
                                              "reference": item.reference}, critique=False)
        predicted.append(result["overall_level"])
        truth.append(item.mean_score)
        rows.append({"id": item.id, "overall": result["overall_level"], "mean_score": item.mean_score, "junk": result.get("junk")})
    first, second = [i.scores[0] for i in items], [i.scores[1] for i in items]
    enough = len(items) >= 3
    return {
        "split": split,
        "n": len(items),
        "questions": len({i.qid for i in items}),
        "pearson": float(pearsonr(predicted, truth)[0]) if enough else float("nan"),
        "pearson_ci95": pearson_interval(predicted, truth),
        "spearman": float(spearmanr(predicted, truth)[0]) if enough else float("nan"),
        "human_human_pearson": float(pearsonr(first, second)[0]) if enough else float("nan"),
        "items": rows,
    }


def eval_adversarial(services: Services, grader, show: bool) -> dict:
    lookup = QuestionLookup(services)
    items = datasets.adversarial_items()
    scores, flags, rows = {}, {}, []
    for item in progress(items, "adversarial", show):
        grade = grader.grade(lookup(item.role, item.question), item.answer, services.scorecard_for(item.role))
        scores[item.id] = grade.overall_level
        flags[item.id] = bool(grade.flags)
        rows.append({"id": item.id, "kind": item.kind, "type": item.attack_type, "overall": grade.overall_level,
                     "flags": grade.flags, "junk": grade.junk})
    by_id = {i.id: i for i in items}
    attacks = [i for i in items if i.kind == "attack" and i.pair in scores]
    increases = [scores[a.id] - scores[a.pair] for a in attacks]
    junk = [i for i in items if i.kind == "junk"]
    above = [i.id for i in junk if scores[i.id] > (i.expected_max_level or 1)]
    verbose_pairs = [(i.id, i.pair) for i in junk if i.attack_type == "verbose-empty" and i.pair in by_id]
    return {
        "attacks": len(attacks),
        "max_increase": round(max(increases), 3) if increases else 0.0,
        "attacks_flagged": sum(1 for a in attacks if flags[a.id]),
        "junk": len(junk),
        "junk_above_level_1": len(above),
        "junk_above_ids": above,
        "verbose_below_concise": sum(1 for v, c in verbose_pairs if scores[v] < scores[c]),
        "verbose_pairs": len(verbose_pairs),
        "items": rows,
    }


def eval_robustness(services: Services, grader, split: str, show: bool) -> dict:
    """Each answer of the split graded again under rewrites that keep its meaning (`evals.perturbations`): how far
    the overall level moves. Interview answers against their guide question; short answers against their reference."""
    from mockinterview.grading_cli import grade_one

    lookup = QuestionLookup(services)
    graders = []  # (kind, item, grade function of an answer text)
    for item in datasets.grading_items(split):
        question, scorecard = lookup(item.role, item.question), services.scorecard_for(item.role)
        graders.append(("interview", item, lambda a, q=question, c=scorecard: grader.grade(q, a, c).overall_level))
    graders.extend(("short_answer", item, lambda a, i=item: grade_one(
        services, grader, {"id": i.id, "question": i.question, "answer": a, "reference": i.reference}, critique=False)["overall_level"])
        for item in datasets.short_answer_items(split))
    shifts: dict[tuple[str, str], list[float]] = defaultdict(list)
    rewritten: dict[str, tuple[list, list]] = {name: ([], []) for name in REWRITES}  # interview labels, grades
    for kind, item, grade in progress(graders, "robustness", show):
        original = grade(item.answer)
        for name, rewrite in REWRITES.items():
            level = grade(rewrite(item.answer))
            shifts[(name, kind)].append(level - original)
            if kind == "interview":
                rewritten[name][0].append(item.overall)
                rewritten[name][1].append(level)
    table: dict[str, dict] = {}
    for name in REWRITES:
        table[name] = {kind: _shift_summary(shifts[(name, kind)]) for kind in ("interview", "short_answer") if shifts[(name, kind)]}
        if rewritten[name][0]:
            table[name]["interview"]["qwk"] = qwk(rewritten[name][0], [to_level(x) for x in rewritten[name][1]])
    means = [row["mean_abs_shift"] for entry in table.values() for row in entry.values()]
    return {
        "split": split,
        "n_interview": sum(1 for g in graders if g[0] == "interview"),
        "n_short_answer": sum(1 for g in graders if g[0] == "short_answer"),
        "rewrites": table,
        "mean_abs_shift": round(sum(means) / len(means), 4) if means else float("nan"),
        "worst_mean_abs_shift": round(max(means), 4) if means else float("nan"),
    }


def _shift_summary(shifts: list[float]) -> dict:
    return {
        "n": len(shifts),
        "mean_shift": round(sum(shifts) / len(shifts), 4),
        "mean_abs_shift": round(sum(abs(d) for d in shifts) / len(shifts), 4),
        "worst_drop": round(min(0.0, *shifts), 3),
        "moved_half_level": sum(1 for d in shifts if abs(d) > 0.5),
    }


def run_eval(services: Services, grader, which: str = "all", split: str = "test", show: bool = True) -> dict:
    started = time.perf_counter()
    chosen = SETS if which == "all" else (which,)
    report: dict = {"created": time.strftime("%Y-%m-%d %H:%M:%S"), "split": split,
                    "scorer": getattr(grader.scorer, "name", type(grader.scorer).__name__)}
    if "grading" in chosen:
        report["grading"] = eval_grading(services, grader, split, show)
    if "short-answer" in chosen:
        report["short_answer"] = eval_short_answer(services, grader, split, show)
    if "probe" in chosen:
        report["probe"] = eval_probe(services, grader, show)
    if "retrieval" in chosen:
        report["retrieval"] = eval_retrieval(services, show)
    if "adversarial" in chosen:
        report["adversarial"] = eval_adversarial(services, grader, show)
    if "robustness" in chosen:
        report["robustness"] = eval_robustness(services, grader, split, show)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def metric(report: dict, path: str) -> float | None:
    node = report
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return float(node) if isinstance(node, (int, float)) else None


def check_against_baseline(report: dict, baseline: dict) -> list[str]:
    """Regressions beyond the baseline's stated tolerance, as readable lines (empty: no regression)."""
    tolerance = baseline.get("tolerance", {})
    problems = []
    for path, direction in CHECKED.items():
        base, now = baseline.get("metrics", {}).get(path), metric(report, path)
        if base is None or now is None or math.isnan(now):
            continue
        tol = float(tolerance.get(path, tolerance.get("default", 0.02)))
        worse = now < base - tol if direction == "higher" else now > base + tol
        if worse:
            problems.append(f"{path}: {now:.3f} vs baseline {base:.3f} (tolerance {tol})")
    return problems


def baseline_from(report: dict, tolerance: dict | None = None) -> dict:
    values = {p: metric(report, p) for p in CHECKED}
    return {
        "note": "Written by `mockinterview eval --update-baseline`; never updated automatically.",
        "split": report.get("split"),
        "tolerance": tolerance or {"default": 0.02, "adversarial.max_increase": 0.0, "adversarial.junk_above_level_1": 0},
        "metrics": {k: round(v, 4) for k, v in values.items() if v is not None and not math.isnan(v)},
    }


def save_report(report: dict, out_dir: Path) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "report.json"
    path.write_text(json.dumps(report, indent=2, default=float), encoding="utf-8")
    return path
