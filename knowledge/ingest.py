"""Files -> parsed records -> embeddings -> Chroma + catalog. Idempotent by content hash."""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tqdm import tqdm

from knowledge.catalog import Catalog
from knowledge.chunking import chunk_section
from knowledge.embeddings import SentenceEmbedder
from knowledge.models import GuideQuestion, ParsedGuide, stable_id
from knowledge.parse import parse_guide, slugify
from knowledge.readers import SCORECARD_SUFFIXES, SUPPORTED, read_document
from knowledge.vectors import VectorIndex, collection_name
from mockinterview.errors import IngestError, ScorecardError
from rubrics.loader import load_scorecard_file
from rubrics.schema import Dimension, Scorecard

SHIPPED_GUIDES = Path(__file__).parent / "guides"
NOT_GUIDES = {"FORMAT.md", "README.md"}


def shipped_guide_paths() -> list[Path]:
    return sorted(p for p in SHIPPED_GUIDES.glob("*.md") if p.name not in NOT_GUIDES)


@dataclass
class IngestReport:
    indexed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    chunks: int = 0
    questions: int = 0
    dimensions: int = 0
    seconds: float = 0.0
    encode_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"indexed {len(self.indexed)} file(s) ({self.chunks} chunks, {self.questions} questions, "
            f"{self.dimensions} scorecard dimensions), unchanged {len(self.unchanged)}, pruned {len(self.pruned)}, "
            f"errors {len(self.errors)} in {self.seconds:.1f}s"
        )


@dataclass
class _Pending:
    path: str
    display: str
    sha256: str
    role: str
    kind: str
    role_name: str | None = None
    questions: list[GuideQuestion] = field(default_factory=list)
    scorecard: Scorecard | None = None
    scorecard_from_table: bool = False
    records: dict[str, list[tuple[str, str, dict]]] = field(default_factory=dict)  # collection -> (id, text, meta)


def expand_paths(paths: list[Path]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    errors: list[str] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUPPORTED and not any(part.startswith(".") for part in p.parts[-2:])
            )
        elif path.is_file():
            files.append(path)
        else:
            errors.append(f"{path}: no such file or folder")
    return files, errors


def display_name(path: Path) -> str:
    resolved = path.resolve()
    for base in (SHIPPED_GUIDES.parent.parent, Path.cwd()):
        try:
            return str(resolved.relative_to(base.resolve()))
        except ValueError:
            continue
    return str(resolved)


def scorecard_from_table(guide: ParsedGuide) -> Scorecard | None:
    """A pasted guide's rubric table becomes a scorecard when the role has no YAML one."""
    if len(guide.table_dimensions) < 2:
        return None
    dims = []
    for row in guide.table_dimensions:
        meets = row.levels.get(3) or row.levels.get(4) or row.name
        levels = {
            1: f"Weak: little or none of this shows: {meets}",
            2: f"Below bar: partly shows, with gaps: {meets}",
            3: f"Meets bar: {meets}",
            4: f"Exceeds: {row.levels.get(4) or meets}",
        }
        dims.append(Dimension(id=slugify(row.name) or "dimension", name=row.name, weight=1.0,
                              description=meets, levels=levels, evidence_cues=[meets]))
    try:
        return Scorecard(role=slugify(guide.role), name=guide.name, dimensions=dims)
    except ValueError:
        return None


class QuestionNamer(Protocol):
    name: str

    def __call__(self, question: GuideQuestion) -> tuple[str | None, str | None]: ...


def name_derived_questions(questions: list[GuideQuestion], namer: QuestionNamer, notes: list[str]) -> None:
    """Replace the heading-based titles of orphan sample answers with the namer's proposals, where it has one."""
    for q in questions:
        if not q.title_derived:
            continue
        proposal, note = namer(q)
        if note:
            notes.append(note)
        if proposal:
            q.text = proposal


class Ingestor:
    def __init__(self, catalog: Catalog, index: VectorIndex, embedder: SentenceEmbedder, chunk_tokens: int, chunk_overlap: int):
        self.catalog = catalog
        self.index = index
        self.embedder = embedder
        self.chunk_tokens = chunk_tokens
        self.chunk_overlap = chunk_overlap

    def ingest(self, paths: list[Path], role: str | None = None, prune: bool = False, progress: bool = True,
               namer: QuestionNamer | None = None) -> IngestReport:
        started = time.perf_counter()
        report = IngestReport()
        files, report.errors = expand_paths(paths)
        pending: list[_Pending] = []
        for path in tqdm(files, desc="reading", unit="file", disable=not progress or len(files) < 5, leave=False):
            try:
                item = self._prepare(path, role, namer, report.notes)
            except (IngestError, ScorecardError) as exc:
                report.errors.append(str(exc))
                continue
            if item is None:
                report.unchanged.append(display_name(path))
            else:
                pending.append(item)
        self._embed_and_write(pending, report, progress)
        if prune:
            report.pruned = self.prune()
        report.seconds = time.perf_counter() - started
        return report

    def prune(self) -> list[str]:
        gone = [f for f in self.catalog.files() if not os.path.exists(f["path"])]
        for f in gone:
            self._delete_vectors(f["path"])
            self.catalog.remove_file(f["path"])
        return [f["display"] for f in gone]

    # ----------------------------------------------------------------------------------------
    def _prepare(self, path: Path, role: str | None, namer: QuestionNamer | None, notes: list[str]) -> _Pending | None:
        key = str(path.resolve())
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise IngestError(f"{path}: cannot read ({exc.strerror or exc})") from exc
        # the namer is part of the digest: re-ingesting with --llm re-words derived questions
        digest = hashlib.sha256(raw + f"\x00role={role or ''}\x00namer={getattr(namer, 'name', '')}".encode()).hexdigest()
        if self.catalog.file_hash(key) == digest:
            return None
        display = display_name(path)
        if path.suffix.lower() in SCORECARD_SUFFIXES:
            card = load_scorecard_file(path)
            item = _Pending(key, display, digest, card.role, "scorecard", role_name=card.name, scorecard=card)
            self._add_dimensions(item, card)
            return item
        text = read_document(path)
        if not text.strip():
            raise IngestError(f"{path}: empty file, nothing to index")
        guide = parse_guide(text, display, role=role)
        if namer is not None:
            name_derived_questions(guide.questions, namer, notes)
        item = _Pending(key, display, digest, guide.role, "guide", role_name=guide.name, questions=guide.questions)
        table_card = scorecard_from_table(guide)
        if table_card is not None:
            item.scorecard, item.scorecard_from_table = table_card, True
            self._add_dimensions(item, table_card)
        self._add_guide_records(item, guide)
        return item

    def _add_guide_records(self, item: _Pending, guide: ParsedGuide) -> None:
        chunks = item.records.setdefault(collection_name("chunks", guide.role), [])
        for section in guide.sections:
            for i, text in enumerate(chunk_section(section.text, section.title, self.chunk_tokens, self.chunk_overlap)):
                meta = {"role": guide.role, "source": item.display, "section": section.title, "kind": "chunk"}
                chunks.append((stable_id(item.path, section.title, str(i)), text, meta))
        questions = item.records.setdefault(collection_name("questions", guide.role), [])
        for q in guide.questions:
            text = " ".join([q.text, *q.key_points])
            meta = {"role": q.role, "source": item.display, "section": q.section, "kind": "question",
                    "question_id": q.id, "category": q.category, "topic": q.topic}
            questions.append((stable_id(item.path, q.id), text, meta))

    def _add_dimensions(self, item: _Pending, card: Scorecard) -> None:
        records = item.records.setdefault(collection_name("dimensions", card.role), [])
        for dim in card.dimensions:
            meta = {"role": card.role, "source": item.display, "section": dim.name, "kind": "dimension", "dimension": dim.id}
            records.append((stable_id(item.path, dim.id), dim.text_for_matching(), meta))

    def _embed_and_write(self, pending: list[_Pending], report: IngestReport, progress: bool) -> None:
        texts = [text for item in pending for recs in item.records.values() for _, text, _ in recs]
        vectors = self._encode(texts, report, progress)
        cursor = 0
        for item in pending:
            self._delete_vectors(item.path)
            ids_by_collection: dict[str, list[str]] = {}
            for name, recs in item.records.items():
                chunk = vectors[cursor: cursor + len(recs)]
                cursor += len(recs)
                self.index.add(name, [r[0] for r in recs], [r[1] for r in recs], [r[2] for r in recs], chunk)
                ids_by_collection[name] = [r[0] for r in recs]
                kind = name.split(".")[0]
                setattr(report, kind, getattr(report, kind) + len(recs))
            self.catalog.replace_file(item.path, item.display, item.sha256, item.role, item.kind, ids_by_collection,
                                      item.questions, item.scorecard, item.role_name, item.scorecard_from_table)
            report.indexed.append(item.display)

    def _encode(self, texts: list[str], report: IngestReport, progress: bool) -> list[list[float]]:
        started = time.perf_counter()
        batch = self.embedder.batch_size
        out: list[list[float]] = []
        bar = tqdm(total=len(texts), desc="embedding", unit="chunk", disable=not progress or not texts)
        for start in range(0, len(texts), batch):
            out.extend(self.embedder.encode(texts[start:start + batch]).tolist())
            bar.update(min(batch, len(texts) - start))
        bar.close()
        report.encode_seconds = time.perf_counter() - started
        return out

    def _delete_vectors(self, path: str) -> None:
        for name, ids in self.catalog.vector_ids(path).items():
            self.index.delete(name, ids)
