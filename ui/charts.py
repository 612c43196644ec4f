"""Per-dimension charts for reports (matplotlib, headless)."""
from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from agent.schemas import DimensionGrade


def radar_chart(dimensions: list[DimensionGrade], path: Path, title: str = "") -> Path:
    """A radar of dimension scores (1-4); falls back to bars below three dimensions."""
    names = [d.name or d.dimension for d in dimensions]
    scores = [d.score for d in dimensions]
    if len(dimensions) < 3:
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.barh(names, scores, color="#4C72B0")
        ax.set_xlim(1, 4)
        ax.set_xlabel("level (1 weak .. 4 exceeds)")
    else:
        angles = [2 * math.pi * i / len(names) for i in range(len(names))]
        fig, ax = plt.subplots(figsize=(6, 6), subplot_kw={"polar": True})
        ax.plot(angles + angles[:1], scores + scores[:1], color="#4C72B0", linewidth=2)
        ax.fill(angles + angles[:1], scores + scores[:1], color="#4C72B0", alpha=0.25)
        ax.plot(angles + angles[:1], [3] * (len(names) + 1), color="#55A868", linestyle="--", linewidth=1, label="meets bar")
        ax.set_xticks(angles)
        ax.set_xticklabels(names, fontsize=9)
        ax.set_ylim(0, 4)
        ax.set_yticks([1, 2, 3, 4])
        ax.legend(loc="lower right", bbox_to_anchor=(1.15, -0.1), fontsize=8)
    if title:
        ax.set_title(title, pad=20)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
