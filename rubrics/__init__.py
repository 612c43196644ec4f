"""Scorecard schema and the scorecards we ship."""
from rubrics.loader import load_scorecard_file, shipped_scorecard_paths
from rubrics.schema import Dimension, Scorecard

__all__ = ["Dimension", "Scorecard", "load_scorecard_file", "shipped_scorecard_paths"]
