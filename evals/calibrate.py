"""`mockinterview calibrate`: compare a hiring team's raters with each other and with the grader."""
from __future__ import annotations

import csv
import itertools
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import krippendorff
import numpy as np
from tqdm import tqdm

from evals.metrics import qwk, qwk_interval, to_level
from evals.presentation import save_figure
from mockinterview.app import Services
from mockinterview.errors import MockInterviewError
from mockinterview.resolve import resolve_question
from rubrics.schema import Scorecard

REQUIRED = ("question", "answer", "rater", "dimension", "level")
GRADER = "grader"


@dataclass
class Ratings:
    scorecard: Scorecard
    # (question, answer) -> rater -> dimension -> level
    items: dict[tuple[str, str], dict[str, dict[str, int]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(dict)))
    problems: list[str] = field(default_factory=list)

    @property
    def raters(self) -> list[str]:
        return sorted({r for by_rater in self.items.values() for r in by_rater if r != GRADER})


def read_ratings(path: Path, scorecard: Scorecard) -> Ratings:
    """Every usable row; each bad row becomes a message that names it."""
    ratings = Ratings(scorecard)
    known = {d.id for d in scorecard.dimensions} | {d.name.lower(): d.id for d in scorecard.dimensions}.keys()
    by_name = {d.name.lower(): d.id for d in scorecard.dimensions}
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise MockInterviewError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise MockInterviewError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(REQUIRED)}")
        for number, row in enumerate(reader, start=2):
            empty = [c for c in REQUIRED if not (row.get(c) or "").strip()]
            if empty:
                ratings.problems.append(f"row {number}: empty {', '.join(empty)}; skipped")
                continue
            dimension = row["dimension"].strip()
            dim_id = dimension if dimension in known else by_name.get(dimension.lower())
            if dim_id is None:
                ratings.problems.append(f"row {number}: unknown dimension '{dimension}' for scorecard {scorecard.role}; skipped")
                continue
            try:
                level = int(float(row["level"]))
            except ValueError:
                level = 0
            if level not in (1, 2, 3, 4):
                ratings.problems.append(f"row {number}: level '{row['level']}' is not 1, 2, 3 or 4; skipped")
                continue
            ratings.items[(row["question"].strip(), row["answer"].strip())][row["rater"].strip()][dim_id] = level
    return ratings


def add_grader(services: Services, grader, ratings: Ratings, role: str | None, show: bool) -> dict[tuple, dict[str, float]]:
    scores: dict[tuple, dict[str, float]] = {}
    for key, by_rater in tqdm(ratings.items.items(), desc="grading", disable=not show, leave=False):
        question, answer = key
        dims = sorted({d for levels in by_rater.values() for d in levels})
        grade = grader.grade(resolve_question(services, question, role), answer, ratings.scorecard, dimensions=dims)
        scores[key] = {d.dimension: d.score for d in grade.dimensions}
        by_rater[GRADER] = {d: to_level(s) for d, s in scores[key].items()}
    return scores


def pair_qwk(ratings: Ratings, a: str, b: str, dimension: str | None = None) -> dict:
    """QWK over every (answer, dimension) both rated, with a bootstrap interval: a team calibrates on tens of
    answers, where a gap of 0.1 between two pairs is often noise."""
    xs, ys = [], []
    for by_rater in ratings.items.values():
        if a in by_rater and b in by_rater:
            for dim, level in by_rater[a].items():
                if dim in by_rater[b] and dimension in (None, dim):
                    xs.append(level)
                    ys.append(by_rater[b][dim])
    return {"qwk": qwk(xs, ys) if len(xs) >= 2 else float("nan"), "n": len(xs), "ci95": qwk_interval(xs, ys)}


def alpha(ratings: Ratings, raters: list[str]) -> float:
    units = [(key, dim) for key, by_rater in ratings.items.items() for dim in {d for r in raters for d in by_rater.get(r, {})}]
    if len(raters) < 2 or not units:
        return float("nan")
    matrix = np.full((len(raters), len(units)), np.nan)
    for j, (key, dim) in enumerate(units):
        for i, rater in enumerate(raters):
            level = ratings.items[key].get(rater, {}).get(dim)
            if level is not None:
                matrix[i, j] = level
    try:
        return float(krippendorff.alpha(reliability_data=matrix, level_of_measurement="ordinal", value_domain=[1, 2, 3, 4]))
    except (ValueError, ZeroDivisionError):
        return float("nan")


def analyse(ratings: Ratings, scores: dict[tuple, dict[str, float]]) -> dict:
    raters = ratings.raters
    pairs = {f"{a} vs {b}": pair_qwk(ratings, a, b) for a, b in itertools.combinations(raters, 2)}
    vs_grader = {f"{r} vs grader": pair_qwk(ratings, r, GRADER) for r in raters}
    bias: dict[str, list[float]] = defaultdict(list)
    disagreements = []
    confusions: Counter = Counter()
    for key, by_rater in ratings.items.items():
        for dim, score in scores.get(key, {}).items():
            human = [by_rater[r][dim] for r in raters if dim in by_rater.get(r, {})]
            if human:
                bias[dim].append(score - float(np.mean(human)))
                disagreements.append((abs(score - float(np.mean(human))), key, dim, score, human))
        for a, b in itertools.combinations(raters, 2):
            for dim, level in by_rater.get(a, {}).items():
                other = by_rater.get(b, {}).get(dim)
                if other is not None and other != level:
                    confusions[(dim, min(level, other), max(level, other))] += 1
    disagreements.sort(key=lambda row: -row[0])
    return {
        "raters": raters,
        "items": len(ratings.items),
        "rater_pairs": pairs,
        "rater_vs_grader": vs_grader,
        "alpha_raters": alpha(ratings, raters),
        "alpha_with_grader": alpha(ratings, [*raters, GRADER]),
        "bias": {d: {"mean": float(np.mean(v)), "n": len(v)} for d, v in sorted(bias.items())},
        "largest_disagreements": [
            {"question": k[0], "answer": k[1][:300], "dimension": d, "grader": round(s, 2), "raters": h}
            for _, k, d, s, h in disagreements[:5]
        ],
        "confused_levels": [{"dimension": d, "levels": [lo, hi], "count": n} for (d, lo, hi), n in confusions.most_common(5)],
        "problems": ratings.problems,
    }


def _f(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.2f}"


def markdown(result: dict, scorecard: Scorecard, plots: list[Path]) -> str:
    lines = [f"# Calibration report: {scorecard.name}", "",
             f"{result['items']} answers, raters: {', '.join(result['raters'])}", "",
             "## Agreement", "", "| pair | QWK | 95% interval | n |", "|---|---|---|---|"]
    for name, m in {**result["rater_pairs"], **result["rater_vs_grader"]}.items():
        low, high = m["ci95"]
        lines.append(f"| {name} | {_f(m['qwk'])} | {_f(low)} to {_f(high)} | {m['n']} |")
    lines += ["", ("Intervals: 1,000 bootstrap resamples of the rated (answer, dimension) pairs. Pairs from one answer are "
                   "not independent, so the real uncertainty is somewhat wider.")]
    lines += ["", f"Krippendorff's alpha (ordinal): raters {_f(result['alpha_raters'])}, raters + grader {_f(result['alpha_with_grader'])}",
              "", "## Grader bias per dimension (grader minus mean rater; negative = harsher)", "",
              "| dimension | bias | n |", "|---|---|---|"]
    for dim, b in result["bias"].items():
        lines.append(f"| {dim} | {b['mean']:+.2f} | {b['n']} |")
    lines += ["", "## Largest disagreements", ""]
    for row in result["largest_disagreements"]:
        lines.append(f"- **{row['dimension']}**: grader {row['grader']}, raters {row['raters']} · _{row['question']}_ · “{row['answer'][:160]}”")
    lines += ["", "## Levels raters confuse most", ""]
    for row in result["confused_levels"]:
        dim = scorecard.dimension(row["dimension"])
        lo, hi = row["levels"]
        lines.append(f"- **{row['dimension']}** {lo} vs {hi}: {row['count']} times. Sharpen these descriptors:")
        if dim:
            lines.append(f"  - {lo}: {dim.levels[lo]}")
            lines.append(f"  - {hi}: {dim.levels[hi]}")
    if result["problems"]:
        lines += ["", "## Rows skipped", "", *[f"- {p}" for p in result["problems"]]]
    lines += ["", *[f"![{p.stem}]({p.name})" for p in plots]]
    return "\n".join(lines) + "\n"


def plots(result: dict, out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    if result["bias"]:
        dims = list(result["bias"])
        values = [result["bias"][d]["mean"] for d in dims]
        fig, ax = plt.subplots(figsize=(7, 0.4 * len(dims) + 1.2))
        ax.barh(dims, values, color=["#C44E52" if v < 0 else "#4C72B0" for v in values])
        ax.axvline(0, color="black", linewidth=1)
        ax.set_xlabel("grader minus raters (levels)")
        ax.set_title("grader bias per dimension")
        paths.append(save_figure(fig, out_dir / "bias.png"))
    names = result["raters"] + [GRADER]
    if len(names) >= 2:
        matrix = np.eye(len(names))
        lookup = {**result["rater_pairs"], **result["rater_vs_grader"]}
        for i, a in enumerate(names):
            for j, b in enumerate(names):
                m = lookup.get(f"{a} vs {b}") or lookup.get(f"{b} vs {a}")
                if m:
                    matrix[i, j] = m["qwk"]
        fig, ax = plt.subplots(figsize=(1.2 * len(names) + 2, 1.2 * len(names) + 1.5))
        ax.imshow(matrix, vmin=0, vmax=1, cmap="Greens")
        for (i, j), v in np.ndenumerate(matrix):
            ax.text(j, i, _f(v), ha="center", va="center")
        ax.set_xticks(range(len(names)), names, rotation=30)
        ax.set_yticks(range(len(names)), names)
        ax.set_title("pairwise QWK")
        paths.append(save_figure(fig, out_dir / "agreement.png"))
    return paths


def run_calibration(services: Services, grader, csv_path: Path, role: str | None, out_dir: Path, show: bool = True) -> tuple[dict, Path]:
    scorecard = services.scorecard_for(role) if role else services.scorecard_for("general")
    ratings = read_ratings(csv_path, scorecard)
    if not ratings.items:
        raise MockInterviewError(f"{csv_path}: no usable rows ({len(ratings.problems)} skipped: {ratings.problems[:1]})")
    scores = add_grader(services, grader, ratings, role, show)
    result = analyse(ratings, scores)
    out_dir.mkdir(parents=True, exist_ok=True)
    images = plots(result, out_dir)
    report = out_dir / "calibration.md"
    report.write_text(markdown(result, scorecard, images), encoding="utf-8")
    return result, report
