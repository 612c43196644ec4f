"""Ingestion, index and retrieval, plus the guides we ship."""
