"""Role-scoped retrieval over the per-role collections, returning typed passages."""
from __future__ import annotations

from knowledge.embeddings import SentenceEmbedder
from knowledge.models import BEHAVIORAL_ROLE, Passage
from knowledge.vectors import VectorIndex, collection_name


class Retriever:
    def __init__(self, index: VectorIndex, embedder: SentenceEmbedder):
        self.index = index
        self.embedder = embedder

    def collections(self, kind: str, role: str | None) -> list[str]:
        if role is None:
            return [n for n in self.index.collection_names() if n.startswith(kind + ".")]
        return [collection_name(kind, role), collection_name(kind, BEHAVIORAL_ROLE)]

    def search(self, query: str, role: str | None = None, k: int = 5, kind: str = "chunks") -> list[Passage]:
        if not query.strip():
            return []
        vector = self.embedder.encode([query])[0].tolist()
        return self.index.query(vector, self.collections(kind, role), k)

    def search_many(self, queries: list[str], role: str | None, k: int, kind: str = "chunks") -> list[list[Passage]]:
        """One embedding batch for several queries (planning asks one per scorecard dimension)."""
        vectors = self.embedder.encode(queries)
        names = self.collections(kind, role)
        return [self.index.query(v.tolist(), names, k) for v in vectors]
