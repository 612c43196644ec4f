"""Scorecard schema and the scorecards we ship."""
from rubrics.schema import Dimension, Scorecard
from rubrics.loader import load_scorecard_file, shipped_scorecard_paths

__all__ = ["Dimension", "Scorecard", "load_scorecard_file", "shipped_scorecard_paths"]
