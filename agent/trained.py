"""The trained grader model file, if one ships; otherwise the heuristic scorer."""
from __future__ import annotations


def load_default_scorer():
    return None
