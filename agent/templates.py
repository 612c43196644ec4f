"""Prompt and phrasing templates, shipped as YAML in agent/prompts and rendered strictly."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from string import Template
from typing import Any

import yaml

PROMPTS_DIR = Path(__file__).parent / "prompts"


@lru_cache(maxsize=8)
def load(name: str) -> dict[str, Any]:
    return yaml.safe_load((PROMPTS_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def render(template: str, **values: Any) -> str:
    """Fill ${placeholders}; a missing value raises KeyError instead of leaving a hole in the text."""
    return Template(template).substitute(**{k: str(v) for k, v in values.items()})


def phrase(name: str, key: str, **values: Any) -> str:
    node: Any = load(name)
    for part in key.split("."):
        node = node[part]
    return render(node, **values)
