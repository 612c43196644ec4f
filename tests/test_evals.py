"""The evaluation sets' contract, the metrics' arithmetic, the baseline gate, training and calibration."""
import csv
import json
from collections import defaultdict

import numpy as np
import pytest

from evals import datasets
from evals.harness import check_against_baseline
from evals.metrics import agreement, probe_metrics, qwk, retrieval_metrics
from evals.train import fit_ordinal


def test_sets_meet_their_sizes_and_double_labeling():
    grading = datasets.grading_items()
    assert len(grading) >= 300
    assert len(datasets.probe_items()) >= 100
    assert len(datasets.retrieval_items()) >= 80
    assert len(datasets.adversarial_items()) >= 60
    doubles = [i for i in grading if i.overall_2 is not None]
    assert len(doubles) >= 0.2 * len(grading)
    per_role = defaultdict(set)
    for item in grading:
        per_role[item.role].add(item.question)
        assert set(item.labels) and all(1 <= v <= 4 for v in item.labels.values())
    assert len(per_role) == 3 and all(len(q) >= 10 for q in per_role.values())
    counts = np.bincount([i.overall for i in grading], minlength=5)[1:]
    assert counts.min() >= 0.15 * len(grading)  # every level well represented


def test_counter_voice_answers_cross_voice_with_level_in_every_split():
    """Earlier rounds kept almost every rambling answer at level 2 and every polished senior one at 3 or 4; these
    answers exist so that neither the grader nor its measurement can lean on the voice."""
    items = [i for i in datasets.grading_items() if i.counter_voice]
    assert {i.split for i in items} == {"train", "dev", "test"}
    assert all(i.overall_2 is not None for i in items)  # each labelled twice, blind to the writer's intent
    manner = ("rambling", "nervous", "non-native", "junior")
    polish = ("senior", "story-heavy", "bullet-style", "concise")
    for split in ("train", "dev", "test"):
        here = [i for i in items if i.split == split]
        assert sum(1 for i in here if i.voice.startswith(manner) and i.overall >= 3) >= 0.3 * len(here)
        assert sum(1 for i in here if i.voice.startswith(polish) and i.overall <= 2) >= 0.3 * len(here)


def test_splits_are_by_question():
    split_of = defaultdict(set)
    for item in datasets.grading_items():
        split_of[item.question].add(item.split)
    assert all(len(s) == 1 for s in split_of.values())
    assert {s for (only,) in split_of.values() for s in [only]} == {"train", "dev", "test"}


def test_no_answer_repeats_eight_words_in_a_row_from_our_guides_rubrics_or_labeling_guide():
    """An answer that echoes a guide's key point or sample answer scores on coverage for copying, not knowing, and
    teaches the grader that echoing pays; real candidates have not read our guides. A question restated inside an
    answer (the padding junk does that on purpose) is not an echo."""
    from pathlib import Path

    from agent.text_signals import shingles

    root = Path(__file__).resolve().parents[1]
    sources = [*(root / "knowledge" / "guides").glob("*.md"), *(root / "rubrics" / "scorecards").glob("*.yaml"), root / "evals" / "LABELING.md"]
    ours = set().union(*(shingles(p.read_text(encoding="utf-8"), 8) for p in sources))
    items = [*datasets.grading_items(), *datasets.probe_items(), *datasets.adversarial_items()]
    echoes = {i.id: " ".join(next(iter(shared))) for i in items if (shared := (shingles(i.answer, 8) & ours) - shingles(i.question, 8))}
    assert len(items) > 1400 and not echoes, echoes


def test_every_dimension_graded_on_test_is_learned_from_the_train_split():
    labelled = defaultdict(int)
    for item in datasets.grading_items("train"):
        for dim in item.labels:
            labelled[dim] += 1
    tested = {dim for item in datasets.grading_items("test") for dim in item.labels}
    assert all(labelled[dim] >= 9 for dim in tested), {d: labelled[d] for d in tested}


def test_short_answer_set_is_double_rated_and_split_by_question():
    items = datasets.short_answer_items()
    assert len(items) >= 200 and len({i.qid for i in items}) >= 20
    assert all(len(i.scores) == 2 and all(0 <= s <= 5 for s in i.scores) for i in items)
    split_of = defaultdict(set)
    for item in items:
        split_of[item.qid].add(item.split)
    assert all(len(s) == 1 for s in split_of.values())
    assert {only for (only,) in split_of.values()} == {"train", "dev", "test"}
    assert len(set(np.round([i.mean_score for i in items]))) == 6  # every score from 0 to 5 occurs


def test_metric_arithmetic():
    assert qwk([1, 2, 3, 4], [1, 2, 3, 4]) == 1.0
    assert qwk([1, 2, 3, 4], [4, 3, 2, 1]) < 0
    result = agreement([1, 2, 3, 4], [1.2, 2.6, 3.0, 3.4])
    assert result["exact"] == 0.5 and result["within_one"] == 1.0
    assert result["confusion"][1][2] == 1  # truth 2 predicted 3
    probes = probe_metrics([(True, "metric"), (False, "none"), (True, "result")], [(True, "metric"), (True, "method"), (False, "none")])
    assert probes["precision"] == 0.5 and probes["recall"] == 0.5 and probes["gap_accuracy"] == 1.0
    assert retrieval_metrics([1, 2, None, 6]) == {"n": 4, "recall@5": 0.5, "mrr": pytest.approx((1 + 0.5 + 0 + 1 / 6) / 4)}


def test_qwk_interval_is_reproducible_brackets_the_estimate_and_narrows_with_more_answers():
    from evals.metrics import _qwk_rows, qwk_interval

    rng = np.random.default_rng(3)
    truth = rng.integers(1, 5, 400)
    noisy = np.clip(truth + rng.choice([-1, 0, 0, 1], 400), 1, 4)
    assert _qwk_rows(truth[None, :40], noisy[None, :40])[0] == pytest.approx(qwk(list(truth[:40]), list(noisy[:40])))
    small, large = qwk_interval(list(truth[:40]), list(noisy[:40])), qwk_interval(list(truth), list(noisy))
    assert small == qwk_interval(list(truth[:40]), list(noisy[:40]))  # seeded: the same report twice
    assert small[0] < qwk(list(truth[:40]), list(noisy[:40])) < small[1]
    assert large[1] - large[0] < (small[1] - small[0]) / 2  # ten times the answers, about a third of the width
    assert np.isnan(qwk_interval([1, 2, 3], [1, 2, 3])).all()  # too few answers to resample
    from scipy.stats import pearsonr

    from evals.metrics import pearson_interval

    blurred = noisy[:40] + rng.normal(0, 0.5, 40)
    low, high = pearson_interval(list(truth[:40]), list(blurred))
    assert -1 <= low < pearsonr(truth[:40], blurred)[0] < high <= 1


def test_baseline_gate_flags_only_regressions_beyond_tolerance():
    baseline = {"tolerance": {"default": 0.02, "adversarial.max_increase": 0.0},
                "metrics": {"grading.overall.qwk": 0.5, "adversarial.max_increase": 0.0}}
    fine = {"grading": {"overall": {"qwk": 0.49}}, "adversarial": {"max_increase": 0.0}}
    worse = {"grading": {"overall": {"qwk": 0.40}}, "adversarial": {"max_increase": 0.1}}
    assert check_against_baseline(fine, baseline) == []
    problems = check_against_baseline(worse, baseline)
    assert len(problems) == 2 and any("max_increase" in p for p in problems)


def test_training_is_deterministic():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 6))
    y = np.clip(np.round(2.5 + X[:, 0] + 0.3 * rng.normal(size=200)), 1, 4).astype(int)
    assert fit_ordinal(X, y) == fit_ordinal(X, y)


def test_quality_probe_reads_each_question_with_a_probe_that_never_saw_it():
    from evals.train import fit_probe, probe_column

    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(50, 8))
    y = vectors[:, 0] + 0.1 * rng.normal(size=50)
    groups = [f"q{i % 5}" for i in range(50)]
    column = probe_column(vectors, y, groups)
    for held in {"q0", "q3"}:
        rows = np.array([g == held for g in groups])
        probe = fit_probe(vectors[~rows], y[~rows])
        assert np.allclose(column[rows], vectors[rows] @ np.array(probe["coef"]) + probe["intercept"], atol=1e-5)
    assert np.corrcoef(column, y)[0, 1] > 0.7  # and it carries a signal shared across questions


def test_spread_map_restores_the_raters_spread_without_steps():
    from evals.train import spread_map

    rng = np.random.default_rng(3)
    target = rng.integers(1, 5, size=200).astype(float)
    predicted = 2.5 + 0.4 * (target - 2.5) + 0.2 * rng.normal(size=200)  # shrunk toward the middle, as models are
    cal = spread_map(predicted, target)
    mapped = np.interp(predicted, cal["x"], cal["y"])
    inside = (predicted > 1.1) & (predicted < 3.9)
    assert abs(mapped[inside].std() - target[inside].std()) < 0.25 * target.std()  # spread restored
    assert abs(mapped.mean() - target.mean()) < 0.1
    y = np.array(cal["y"])
    assert np.all(np.diff(y) > 0)  # strictly increasing: a better answer always grades higher, even at the ends
    middle = (y[:-1] > 1.5) & (y[1:] < 3.5)
    assert middle.sum() >= 5 and np.ptp(np.diff(y)[middle]) < 1e-3  # a straight line where levels are decided
    assert min(cal["y"]) >= 1.0 and max(cal["y"]) <= 4.0


def test_shipped_grader_model_was_trained_on_the_train_split():
    from agent.trained import MODEL_PATH, load_default_scorer
    from evals.train import data_fingerprint

    params = json.loads(MODEL_PATH.read_text())
    assert params["trained_on"]["split"] == "train"
    assert params["trained_on"]["grading_sha256"] == data_fingerprint()  # retrain after changing the data
    assert params["reference"]["trained_on"] == {"split": "train", "rows": len(datasets.short_answer_items("train")),
                                                 "short_answer_sha256": data_fingerprint("short_answer")}
    scorer = load_default_scorer()
    assert scorer is not None
    for cal in [params["overall_calibration"], *params["calibration"].values()]:
        assert np.all(np.diff(cal["y"]) >= 0) and cal["y"][-1] > cal["y"][0]  # a better answer never grades lower
    assert params["features"][-1] == "quality_probe" and len(params["probe"]["coef"]) == 384  # MiniLM's width
    assert "flagged" not in params["features"]  # attacks are penalised by policy, never weighed by a learned model
    bare = params["question_only"]
    assert bare["trained_on"]["split"] == "train" and bare["trained_on"]["grading_sha256"] == data_fingerprint()
    assert scorer.question_only is not None and len(bare["mean"]) == len(bare["columns"]) + 1  # + the probe
    evidence = [c for c in bare["columns"] if c in ("numbers", "methods", "metrics", "ownership", "tradeoffs", "results", "star")]
    weights = np.array(bare["coef"]).mean(axis=0)
    assert evidence and all(weights[bare["columns"].index(c)] > 0 for c in evidence)  # evidence only ever raises a level


def _same_model(a, b, path: str = "") -> list[str]:
    """Where two model files differ: structure and text exactly, numbers to 1e-6 (another CPU may round the
    embeddings' last bits differently)."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{path}: keys {sorted(a.keys() ^ b.keys())}"]
        return [d for k in a for d in _same_model(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: length {len(a)} != {len(b)}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _same_model(x, y, f"{path}[{i}]")]
    if isinstance(a, float | int) and isinstance(b, float | int) and not isinstance(a, bool):
        return [] if abs(a - b) <= 1e-6 * max(1.0, abs(a)) else [f"{path}: {a} != {b}"]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def test_the_shipped_grader_is_what_train_grader_makes_from_this_code(services, tmp_path):
    """Reproducible from the seed: a change to the features, the data or the training must come with a retrained
    model file, or the grades shipped are not the ones this code would learn."""
    from agent.trained import MODEL_PATH
    from evals.train import train_grader
    from mockinterview.engines import offline_grader

    out = tmp_path / "grader.json"
    train_grader(services, offline_grader(services), seed=13, out=out, show=False)
    differences = _same_model(json.loads(out.read_text()), json.loads(MODEL_PATH.read_text()))
    assert not differences, f"{len(differences)} differences, first: {differences[:3]}; run `make train-grader`"


def test_calibrate_reports_agreement_bias_and_bad_rows(services, grader, tmp_path):
    from evals.calibrate import run_calibration

    rows = [r for r in datasets.grading_items() if r.role == "ai-engineer" and r.labels_2][:6]
    path = tmp_path / "ratings.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["question", "answer", "rater", "dimension", "level"])
        for r in rows:
            for dim, level in r.labels.items():
                writer.writerow([r.question, r.answer, "alice", dim, level])
            for dim, level in (r.labels_2 or {}).items():
                writer.writerow([r.question, r.answer, "bob", dim, level])
        writer.writerow(["q", "a", "carol", "no-such-dimension", 3])
        writer.writerow(["q", "a", "carol", "communication", 9])
    result, report = run_calibration(services, grader, path, "ai-engineer", tmp_path / "out", show=False)
    assert result["raters"] == ["alice", "bob"] and result["items"] == len(rows)
    pair = result["rater_pairs"]["alice vs bob"]
    assert pair["n"] > 0 and pair["ci95"][0] <= pair["qwk"] <= pair["ci95"][1]
    assert set(result["bias"]) and "alice vs grader" in result["rater_vs_grader"]
    assert any("no-such-dimension" in p for p in result["problems"]) and any("'9'" in p for p in result["problems"])
    text = report.read_text()
    assert "Krippendorff" in text and "Rows skipped" in text and "95% interval" in text and (tmp_path / "out" / "bias.png").exists()


def test_rewrites_keep_every_word_and_are_deterministic():
    import re

    from evals.perturbations import bullets, disfluent, lowercase, nervous, no_punctuation, typos

    answer = ("I profiled the pipeline first. Decoding took 21 ms, so I moved it to the GPU; recall stayed at 0.86! "
              "Then we shipped it behind a flag.")
    words = re.findall(r"[\w.]+", answer.replace(". ", " ").replace("!", ""))
    assert no_punctuation(answer).split() == [w.rstrip(".") for w in words] and "0.86" in no_punctuation(answer)
    assert bullets(answer).splitlines() == ["- I profiled the pipeline first", "- Decoding took 21 ms, so I moved it to the GPU; recall stayed at 0.86!",
                                            "- Then we shipped it behind a flag"]
    assert lowercase(answer) == answer.lower()
    typed = typos(answer * 3, rate=0.5)
    assert typed == typos(answer * 3, rate=0.5) and typed != answer * 3
    assert [sorted(w) for w in typed.split()] == [sorted(w) for w in (answer * 3).split()]  # letters swapped, none lost
    spoken = disfluent(answer, rate=0.5)
    assert spoken.startswith("Um, so, ") and "uh, " in spoken
    assert spoken[len("Um, so, "):].replace("uh, ", "") == answer and spoken == disfluent(answer, rate=0.5)
    quiz = "Insertion is O(log n) worst case, and building a heap from n keys is O(n) in total, not O(n log n)."
    assert all("O(log n)" in disfluent(quiz, rate=r) and "O(n log n)" in disfluent(quiz, rate=r) for r in (0.5, 0.9, 1.0))
    assert nervous("We shipped it. It worked. I measured recall.") == "I think we shipped it. I guess it worked. I measured recall."


def test_robustness_set_grades_each_rewrite_and_lowercase_changes_nothing(services, grader, monkeypatch):
    from evals import harness

    grading, short = datasets.grading_items("test")[:3], datasets.short_answer_items("test")[:3]
    monkeypatch.setattr(datasets, "grading_items", lambda split=None: grading)
    monkeypatch.setattr(datasets, "short_answer_items", lambda split=None: short)
    report = harness.eval_robustness(services, grader, "test", show=False)
    assert report["n_interview"] == 3 and report["n_short_answer"] == 3
    assert set(report["rewrites"]) == {"no punctuation", "lowercase", "bullets", "typos", "disfluent", "nervous"}
    lower = report["rewrites"]["lowercase"]
    assert lower["interview"]["mean_abs_shift"] == 0.0 and lower["short_answer"]["mean_abs_shift"] == 0.0  # an uncased model
    shifts = [k["mean_abs_shift"] for r in report["rewrites"].values() for k in r.values()]
    assert report["worst_mean_abs_shift"] == max(shifts) and 0 <= report["mean_abs_shift"] <= max(shifts)
    assert all(k["worst_drop"] <= 0 and k["n"] == 3 for r in report["rewrites"].values() for k in r.values())
