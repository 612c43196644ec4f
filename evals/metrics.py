"""Agreement and retrieval metrics. Pure functions over lists of numbers."""
from __future__ import annotations

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import cohen_kappa_score, confusion_matrix

LEVELS = [1, 2, 3, 4]


def to_level(x: float) -> int:
    return int(np.clip(np.floor(float(x) + 0.5), 1, 4))


def qwk(a: list[int], b: list[int]) -> float:
    if len(a) < 2 or (len(set(a)) == 1 and len(set(b)) == 1):
        return float("nan")
    return float(cohen_kappa_score(a, b, weights="quadratic", labels=LEVELS))


def agreement(truth: list[int], predicted_scores: list[float]) -> dict:
    """QWK, exact and within-one accuracy, Spearman, MAE and the confusion matrix (rows: truth)."""
    predicted = [to_level(x) for x in predicted_scores]
    truth_arr, pred_arr = np.array(truth), np.array(predicted)
    rho = spearmanr(truth, predicted_scores).statistic if len(set(truth)) > 1 else float("nan")
    return {
        "n": len(truth),
        "qwk": qwk(truth, predicted),
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
