"""mockinterview: application wiring (settings, errors, CLI) around agent/, knowledge/, rubrics/, ui/, evals/."""
