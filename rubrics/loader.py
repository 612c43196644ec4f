"""Reading scorecard YAML into validated models, with errors that name file, field and expectation."""
from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from mockinterview.errors import ScorecardError
from rubrics.schema import Scorecard

SCORECARD_DIR = Path(__file__).parent / "scorecards"
GENERAL_ROLE = "general"


def shipped_scorecard_paths() -> list[Path]:
    return sorted(SCORECARD_DIR.glob("*.yaml"))


def _format_validation_error(path: Path, error: ValidationError, data: object) -> str:
    first = error.errors()[0]
    field = ".".join(_describe_loc(first["loc"], data))
    return f"{path}: invalid scorecard: field '{field or '(root)'}': {first['msg']}"


def _describe_loc(loc: tuple, data: object) -> list[str]:
    """Turn ('dimensions', 2, 'levels') into ['dimensions[2](id=...)', 'levels'] so users find the spot."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int) and parts:
            label = f"{parts.pop()}[{item}]"
            try:
                node = node[item]
                if isinstance(node, dict) and "id" in node:
                    label += f"(id={node['id']})"
            except (IndexError, KeyError, TypeError):
                node = None
            parts.append(label)
            continue
        parts.append(str(item))
        node = node.get(item) if isinstance(node, dict) else None
    return parts


def parse_scorecard(text: str, path: Path) -> Scorecard:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ScorecardError(f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(data, dict):
        raise ScorecardError(f"{path}: invalid scorecard: expected a mapping with role, name and dimensions")
    try:
        return Scorecard.model_validate(data)
    except ValidationError as exc:
        raise ScorecardError(_format_validation_error(path, exc, data)) from exc


def load_scorecard_file(path: Path) -> Scorecard:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScorecardError(f"{path}: cannot read scorecard: {exc}") from exc
    return parse_scorecard(text, Path(path))


def looks_like_scorecard(path: Path) -> bool:
    return path.suffix.lower() in {".yaml", ".yml"}
