"""Typed scorecards. `extra="forbid"`: a typo in a user's YAML is an error, not a silent default."""
from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LEVEL_LABELS = {1: "weak", 2: "below bar", 3: "meets bar", 4: "exceeds"}


class Dimension(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(description="slug, unique within the scorecard")
    name: str
    weight: float = Field(gt=0)
    description: str = Field(min_length=1)
    levels: dict[int, str]
    evidence_cues: list[str] = Field(default_factory=list)
    red_flags: list[str] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"must be a lowercase slug like 'evaluation-rigor', got {value!r}")
        return value

    @field_validator("levels")
    @classmethod
    def _four_levels(cls, value: dict[int, str]) -> dict[int, str]:
        if sorted(value) != [1, 2, 3, 4]:
            raise ValueError(f"needs exactly the levels 1, 2, 3 and 4, got {sorted(value)}")
        empty = [k for k, text in value.items() if not str(text).strip()]
        if empty:
            raise ValueError(f"level descriptor {empty[0]} is empty")
        return value

    def text_for_matching(self) -> str:
        """What retrieval and evidence search compare answers against."""
        return " ".join([self.name + ".", self.description, *self.evidence_cues, self.levels[4]])


class Scorecard(BaseModel):
    model_config = ConfigDict(extra="forbid")

    role: str
    name: str
    description: str = ""
    dimensions: list[Dimension] = Field(min_length=1, max_length=12)

    @field_validator("role")
    @classmethod
    def _role_slug(cls, value: str) -> str:
        if not SLUG.match(value):
            raise ValueError(f"must be a lowercase slug like 'ai-engineer', got {value!r}")
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> Scorecard:
        seen: set[str] = set()
        for dim in self.dimensions:
            if dim.id in seen:
                raise ValueError(f"dimension id {dim.id!r} appears twice")
            seen.add(dim.id)
        return self

    def dimension(self, dim_id: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.id == dim_id), None)

    @property
    def total_weight(self) -> float:
        return sum(d.weight for d in self.dimensions)

    def normalised_weights(self) -> dict[str, float]:
        total = self.total_weight
        return {d.id: d.weight / total for d in self.dimensions}
