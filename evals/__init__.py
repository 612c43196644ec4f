"""Evaluation sets (data/), metrics, harness, grader training and rater calibration."""
