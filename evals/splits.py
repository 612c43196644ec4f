"""Fixed train/dev/test splits by question, stratified by role and category, written into the files."""
from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path

# Position in a (role, category) group -> split: every category reaches every split,
# so the grader is never tested on a kind of question it never saw in training.
PATTERN = ("test", "train", "dev", "train", "train")


def assign_splits(rows: list[dict], category_of: dict[str, str]) -> list[dict]:
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        groups[(row["role"], category_of.get(row["question"].strip().lower(), "technical"))].add(row["question"])
    split_of: dict[tuple[str, str], str] = {}
    for (role, _), questions in groups.items():
        ordered = sorted(questions, key=lambda q: hashlib.sha1(q.encode()).hexdigest())
        for position, question in enumerate(ordered):
            split_of[(role, question)] = PATTERN[position % len(PATTERN)]
    return [{**row, "split": split_of[(row["role"], row["question"])]} for row in rows]


def rewrite_with_splits(path: Path, category_of: dict[str, str]) -> dict[str, int]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = assign_splits(rows, category_of)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["split"]] += 1
    return dict(counts)
