"""Wiring: build the services once from settings and pass them in. Nothing is created at import."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from knowledge.catalog import Catalog
from knowledge.embeddings import SentenceEmbedder, shared_embedder
from knowledge.ingest import Ingestor, IngestReport, shipped_guide_paths
from knowledge.retriever import Retriever
from knowledge.vectors import VectorIndex
from mockinterview.errors import UnknownRoleError
from mockinterview.settings import Settings
from rubrics.loader import GENERAL_ROLE, shipped_scorecard_paths
from rubrics.schema import Scorecard


@dataclass
class Services:
    settings: Settings

    @cached_property
    def embedder(self) -> SentenceEmbedder:
        return shared_embedder(self.settings.embedding_model_path, self.settings.embedding_batch_size)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog(self.settings.manifest_db)

    @cached_property
    def index(self) -> VectorIndex:
        return VectorIndex(self.settings.index_dir, self.embedder)

    @cached_property
    def retriever(self) -> Retriever:
        return Retriever(self.index, self.embedder)

    @cached_property
    def ingestor(self) -> Ingestor:
        return Ingestor(self.catalog, self.index, self.embedder, self.settings.chunk_tokens, self.settings.chunk_overlap)

    def ingest_shipped(self, progress: bool = True) -> IngestReport:
        return self.ingestor.ingest([*shipped_guide_paths(), *shipped_scorecard_paths()], progress=progress)

    def ensure_index(self, progress: bool = True) -> IngestReport | None:
        """Commands that need content index the shipped guides into an empty data directory first."""
        if self.catalog.is_empty():
            return self.ingest_shipped(progress=progress)
        return None

    def require_role(self, role: str) -> str:
        roles = self.catalog.roles()
        if role not in roles:
            raise UnknownRoleError(f"unknown role '{role}'; known roles: {', '.join(roles) or 'none (run ingest)'}")
        return role

    def scorecard_for(self, role: str) -> Scorecard:
        """The role's scorecard, or the general one we ship for roles that have guides only."""
        card = self.catalog.scorecard(role) or self.catalog.scorecard(GENERAL_ROLE)
        if card is None:
            raise UnknownRoleError(f"no scorecard for '{role}' and no general scorecard: run `mockinterview ingest --shipped`")
        return card
