"""The trained grader: a cumulative-logit ordinal model over answer features, shipped as a small JSON file.

Trained by `mockinterview train-grader` on the train split only (evals/train.py). Scoring is plain
arithmetic over the stored parameters, so it is deterministic and needs no scikit-learn at run time.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from agent.features import FEATURE_NAMES, families_for
from agent.reference_match import MEASURES, ReferenceMatch
from agent.scoring import heuristic_correctness
from rubrics.schema import Dimension

MODEL_PATH = Path(__file__).parent / "models" / "grader.json"
FAMILIES = ("method", "experiment", "data", "metric", "production", "collaboration", "responsible", "communication")


# Length is left out on purpose: raters' levels correlate with length, and a model that learned it
# would let padding raise a level. Whether the sanitizer flagged the answer is left out too: attacks are the
# safety policy's to penalise, and a weight learned from the few flagged training answers (two strong answers
# whose note-style lists look like keyword stuffing) once made a flagged attack score above its clean twin.
# The lexical blame/nuance/verify counts, the weak/strong coverage parts and the red-flag similarity are
# computed (reasons, experiments) but left out: in grouped cross-validation on the train split and on the dev
# split they added noise rather than signal.
UNUSED_FEATURES = {"log_words", "flagged", "strong_coverage", "weak_coverage", "blame", "nuance", "verify", "red_flag_similarity"}
MODEL_FEATURES = [n for n in FEATURE_NAMES if n not in UNUSED_FEATURES]
VECTOR_NAMES = MODEL_FEATURES + [f"family:{f}" for f in FAMILIES]  # the columns of `feature_vector`
POOLED = "*"  # the calibration over all dimensions, for a dimension with too few training rows for its own


def read_probe(probe: dict, vectors: np.ndarray) -> np.ndarray:
    """The quality probe's level for one answer embedding or a matrix of them (a linear read-out)."""
    return np.asarray(vectors) @ np.asarray(probe["coef"]) + probe["intercept"]


def feature_vector(features: dict[str, float], dimension: Dimension) -> np.ndarray:
    families = families_for(dimension)
    one_hot = [1.0 if (f in families or (f == "communication" and "communicat" in dimension.id)) else 0.0 for f in FAMILIES]
    return np.array([features[n] for n in MODEL_FEATURES] + one_hot, dtype=np.float64)


class OrdinalScorer:
    def __init__(self, params: dict):
        self.params = params
        self.name = f"ordinal-{params.get('version', '?')}"
        self.mean = np.array(params["mean"])
        self.scale = np.array(params["scale"])
        self.coef = np.array(params["coef"])  # (3, n_features): P(level > k) for k = 1, 2, 3
        self.intercept = np.array(params["intercept"])
        self.calibration = params.get("calibration", {})
        self.overall_calibration = params.get("overall_calibration")
        self.reference = params.get("reference")  # the correctness model for questions graded against a short reference
        if self.reference:
            self.reference = {**self.reference, **{k: np.array(self.reference[k]) for k in ("mean", "scale", "coef")}}
        self.probe = params.get("probe")  # a linear read-out of answer quality from the answer's embedding
        if self.probe:
            self.probe = {**self.probe, "coef": np.array(self.probe["coef"])}
        # A second ordinal model for questions known by their words alone (no key points, no reference): the main
        # model leans on key-point coverage and grades every such answer near level 1. It shares the probe.
        bare = params.get("question_only")
        self.question_only = OrdinalScorer({**bare, "probe": params.get("probe"), "version": self.params.get("version")}) if bare else None
        columns = params.get("columns")  # a model over a subset of the feature vector names its columns
        self.columns = [VECTOR_NAMES.index(c) for c in columns] if columns else None

    def expected_level(self, x: np.ndarray) -> float:
        z = (x - self.mean) / self.scale
        p = 1.0 / (1.0 + np.exp(-(self.coef @ z + self.intercept)))
        p = np.minimum.accumulate(p)  # P(>1) >= P(>2) >= P(>3): keep the cumulative probabilities ordered
        return float(1.0 + p.sum())

    def quality_probe(self, probe_vector: np.ndarray | None) -> float:
        """The level the embedding alone suggests. Word lists and key-point similarity miss how an answer treats
        other people or how confidently it reasons; a ridge read-out of the embedding (less its question's
        direction: `analysis.beyond_the_question`), fitted on the train split across questions, carries some of
        that. An answer with no text gets the level-1 floor."""
        if probe_vector is None:
            return 1.0
        return float(read_probe(self.probe, probe_vector))

    def score(self, features: dict[str, float], dimension: Dimension, probe_vector: np.ndarray | None = None) -> float:
        x = feature_vector(features, dimension)
        if self.columns is not None:
            x = x[self.columns]
        if self.probe:
            x = np.append(x, self.quality_probe(probe_vector))
        raw = self.expected_level(x)
        cal = self.calibration.get(dimension.id) or self.calibration.get(POOLED)
        if cal:
            raw = float(np.interp(raw, cal["x"], cal["y"]))
        return float(np.clip(raw, 1.0, 4.0))

    def correctness(self, match: ReferenceMatch) -> float:
        """Agreement with a reference answer on the raters' 0..1 scale (a linear model over the match measures)."""
        if not self.reference:
            return heuristic_correctness(match)
        ref = self.reference
        z = (match.vector(ref.get("measures", MEASURES)) - ref["mean"]) / ref["scale"]
        return float(np.clip(ref["coef"] @ z + ref["intercept"], 0.0, 1.0))

    def calibrate_overall(self, value: float) -> float:
        """Averaging dimensions pulls every answer toward the middle; this map restores the raters' scale."""
        cal = self.overall_calibration
        return float(np.interp(value, cal["x"], cal["y"])) if cal else value


def load_scorer(path: Path = MODEL_PATH) -> OrdinalScorer | None:
    if not path.exists():
        return None
    return OrdinalScorer(json.loads(path.read_text(encoding="utf-8")))


def load_default_scorer() -> OrdinalScorer | None:
    return load_scorer(MODEL_PATH)
