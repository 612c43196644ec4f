"""Agreement and retrieval metrics. Pure functions over lists of numbers."""
from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score, confusion_matrix

LEVELS = [1, 2, 3, 4]
RESAMPLES = 1000
_WEIGHTS = ((np.arange(4)[:, None] - np.arange(4)[None, :]) ** 2 / 9.0).ravel()  # quadratic disagreement per cell


def to_level(x: float) -> int:
    return int(np.clip(np.floor(float(x) + 0.5), 1, 4))


def qwk(a: list[int], b: list[int]) -> float:
    if len(a) < 2 or (len(set(a)) == 1 and len(set(b)) == 1):
        return float("nan")
    return float(cohen_kappa_score(a, b, weights="quadratic", labels=LEVELS))


def _qwk_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """QWK of each row pair of level arrays (rows: resamples), as `qwk` computes it for one pair."""
    rows, n = a.shape
    observed = np.zeros((rows, 16))
    np.add.at(observed, (np.repeat(np.arange(rows), n), ((a - 1) * 4 + (b - 1)).ravel()), 1.0)
    margin_a = observed.reshape(rows, 4, 4).sum(axis=2)
    margin_b = observed.reshape(rows, 4, 4).sum(axis=1)
    expected = (margin_a[:, :, None] * margin_b[:, None, :]).reshape(rows, 16) / n
    with np.errstate(invalid="ignore", divide="ignore"):
        return 1.0 - (observed @ _WEIGHTS) / (expected @ _WEIGHTS)


def _bootstrap(statistic, x: np.ndarray, y: np.ndarray, coverage: float, seed: int) -> list[float]:
    """A percentile bootstrap interval for a paired statistic computed on all resamples at once (rows of `x[pick]`,
    `y[pick]`); resamples where it is undefined (every level the same) are left out. Seeded, so a report is
    reproducible. Hand-written rather than scipy.stats.bootstrap, which carries an undefined resample into a NaN
    interval instead of leaving it out."""
    if len(x) < 10:
        return [float("nan"), float("nan")]
    pick = np.random.default_rng(seed).integers(0, len(x), size=(RESAMPLES, len(x)))
    with np.errstate(invalid="ignore", divide="ignore"):
        values = statistic(x[pick], y[pick])
    values = values[np.isfinite(values)]
    if not len(values):
        return [float("nan"), float("nan")]
    low, high = np.quantile(values, [(1 - coverage) / 2, (1 + coverage) / 2])
    return [float(low), float(high)]


def qwk_interval(truth: list[int], predicted: list[int], coverage: float = 0.95, seed: int = 0) -> list[float]:
    """QWK's interval, resampling answers. Answers to one question are not independent, so on a split of a few
    questions the true uncertainty is wider."""
    return _bootstrap(_qwk_rows, np.asarray(truth, dtype=int), np.asarray(predicted, dtype=int), coverage, seed)


def _pearson_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    xa, yb = a - a.mean(axis=1, keepdims=True), b - b.mean(axis=1, keepdims=True)
    return (xa * yb).sum(axis=1) / np.sqrt((xa**2).sum(axis=1) * (yb**2).sum(axis=1))


def pearson_interval(x: list[float], y: list[float], coverage: float = 0.95, seed: int = 0) -> list[float]:
    """The same bootstrap for a Pearson correlation."""
    return _bootstrap(_pearson_rows, np.asarray(x, dtype=float), np.asarray(y, dtype=float), coverage, seed)


def agreement(truth: list[int], predicted_scores: list[float]) -> dict:
    """QWK, exact and within-one accuracy, Spearman, MAE and the confusion matrix (rows: truth)."""
    predicted = [to_level(x) for x in predicted_scores]
    truth_arr, pred_arr = np.array(truth), np.array(predicted)
    rho = spearmanr(truth, predicted_scores).statistic if len(set(truth)) > 1 else float("nan")
    return {
        "n": len(truth),
        "qwk": qwk(truth, predicted),
        "qwk_ci95": qwk_interval(truth, predicted),
        "exact": float(np.mean(truth_arr == pred_arr)) if len(truth) else float("nan"),
        "within_one": float(np.mean(np.abs(truth_arr - pred_arr) <= 1)) if len(truth) else float("nan"),
        "spearman": float(rho),
        "mae": float(np.mean(np.abs(truth_arr - np.array(predicted_scores)))) if len(truth) else float("nan"),
        "confusion": confusion_matrix(truth, predicted, labels=LEVELS).tolist() if len(truth) else [],
    }


def probe_metrics(truth: list[tuple[bool, str]], predicted: list[tuple[bool, str]]) -> dict:
    tp = sum(1 for t, p in zip(truth, predicted) if t[0] and p[0])
    fp = sum(1 for t, p in zip(truth, predicted) if not t[0] and p[0])
    fn = sum(1 for t, p in zip(truth, predicted) if t[0] and not p[0])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    both = [(t, p) for t, p in zip(truth, predicted) if t[0] and p[0]]
    gap_accuracy = sum(1 for t, p in both if t[1] == p[1]) / len(both) if both else 0.0
    overall_gap = sum(1 for t, p in zip(truth, predicted) if t[1] == p[1]) / len(truth) if truth else 0.0
    return {"n": len(truth), "precision": precision, "recall": recall, "f1": f1,
            "gap_accuracy": gap_accuracy, "gap_accuracy_all": overall_gap}


def retrieval_metrics(ranks: list[int | None], k: int = 5) -> dict:
    """`ranks`: 1-based rank of the first relevant hit, None when not retrieved."""
    hits = [r for r in ranks if r is not None and r <= k]
    mrr = float(np.mean([1.0 / r if r is not None else 0.0 for r in ranks])) if ranks else 0.0
    return {"n": len(ranks), f"recall@{k}": len(hits) / len(ranks) if ranks else 0.0, "mrr": mrr}
