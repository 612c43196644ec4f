"""SQLite catalog of what is indexed: file hashes, question records, scorecards and role names.

Chroma holds vectors for retrieval; the catalog holds the typed records so listing, planning and
re-ingest checks never need a vector query or a metadata filter.
"""
from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from pathlib import Path

from knowledge.models import BEHAVIORAL_ROLE, GuideQuestion
from rubrics.schema import Scorecard

SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, display TEXT, sha256 TEXT, role TEXT, kind TEXT,
    vector_ids TEXT, ingested_at REAL);
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY, role TEXT, path TEXT, record TEXT);
CREATE TABLE IF NOT EXISTS scorecards (
    role TEXT PRIMARY KEY, path TEXT, from_table INTEGER, record TEXT);
CREATE TABLE IF NOT EXISTS roles (
    id TEXT PRIMARY KEY, name TEXT, path TEXT);
CREATE INDEX IF NOT EXISTS questions_role ON questions(role);
"""


class Catalog:
    def __init__(self, db_path: Path):
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(db_path), timeout=10, check_same_thread=False)
        self.conn.executescript(SCHEMA)

    def close(self) -> None:
        self.conn.close()

    # files ------------------------------------------------------------------------------
    def file_hash(self, path: str) -> str | None:
        row = self.conn.execute("SELECT sha256 FROM files WHERE path=?", (path,)).fetchone()
        return row[0] if row else None

    def vector_ids(self, path: str) -> dict[str, list[str]]:
        row = self.conn.execute("SELECT vector_ids FROM files WHERE path=?", (path,)).fetchone()
        return json.loads(row[0]) if row and row[0] else {}

    def files(self) -> list[dict]:
        rows = self.conn.execute("SELECT path, display, role, kind FROM files ORDER BY path").fetchall()
        return [dict(zip(("path", "display", "role", "kind"), r)) for r in rows]

    def replace_file(
        self,
        path: str,
        display: str,
        sha256: str,
        role: str,
        kind: str,
        vector_ids: dict[str, list[str]],
        questions: list[GuideQuestion],
        scorecard: Scorecard | None = None,
        role_name: str | None = None,
        scorecard_from_table: bool = False,
    ) -> None:
        """Swap a file's records atomically: a crash leaves either the old or the new version."""
        with self.conn:
            self._forget(path)
            self.conn.execute(
                "INSERT INTO files VALUES (?,?,?,?,?,?,?)",
                (path, display, sha256, role, kind, json.dumps(vector_ids), time.time()),
            )
            self.conn.executemany(
                "INSERT OR REPLACE INTO questions VALUES (?,?,?,?)",
                [(q.id, q.role, path, q.model_dump_json()) for q in questions],
            )
            if scorecard is not None:
                existing = self.conn.execute("SELECT from_table FROM scorecards WHERE role=?", (scorecard.role,)).fetchone()
                if existing is None or existing[0] or not scorecard_from_table:
                    self.conn.execute(
                        "INSERT OR REPLACE INTO scorecards VALUES (?,?,?,?)",
                        (scorecard.role, path, int(scorecard_from_table), scorecard.model_dump_json()),
                    )
            if role_name and role != BEHAVIORAL_ROLE:
                self.conn.execute("INSERT OR REPLACE INTO roles VALUES (?,?,?)", (role, role_name, path))

    def remove_file(self, path: str) -> None:
        with self.conn:
            self._forget(path)

    def _forget(self, path: str) -> None:
        self.conn.execute("DELETE FROM files WHERE path=?", (path,))
        self.conn.execute("DELETE FROM questions WHERE path=?", (path,))
        self.conn.execute("DELETE FROM scorecards WHERE path=?", (path,))
        self.conn.execute("DELETE FROM roles WHERE path=?", (path,))

    # records ----------------------------------------------------------------------------
    def questions(self, role: str | None = None) -> list[GuideQuestion]:
        if role is None:
            rows = self.conn.execute("SELECT record FROM questions ORDER BY rowid").fetchall()
        else:
            rows = self.conn.execute("SELECT record FROM questions WHERE role=? ORDER BY rowid", (role,)).fetchall()
        return [GuideQuestion.model_validate_json(r[0]) for r in rows]

    def question(self, question_id: str) -> GuideQuestion | None:
        row = self.conn.execute("SELECT record FROM questions WHERE id=?", (question_id,)).fetchone()
        return GuideQuestion.model_validate_json(row[0]) if row else None

    def scorecard(self, role: str) -> Scorecard | None:
        row = self.conn.execute("SELECT record FROM scorecards WHERE role=?", (role,)).fetchone()
        return Scorecard.model_validate_json(row[0]) if row else None

    def scorecard_roles(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT role FROM scorecards ORDER BY role")]

    def role_names(self) -> dict[str, str]:
        names = {r[0]: r[1] for r in self.conn.execute("SELECT id, name FROM roles")}
        for role in self.scorecard_roles():
            card = self.scorecard(role)
            if card and role not in names:
                names[role] = card.name
        return names

    def roles(self) -> list[str]:
        """Interviewable roles: any role with guides or a scorecard, except the shared modules."""
        guide_roles = {r[0] for r in self.conn.execute("SELECT DISTINCT role FROM questions")}
        roles = (guide_roles | set(self.scorecard_roles())) - {BEHAVIORAL_ROLE, "general"}
        return sorted(roles)

    def category_counts(self, role: str) -> dict[str, int]:
        counts = Counter(q.category for q in self.questions(role) + self.questions(BEHAVIORAL_ROLE))
        return dict(sorted(counts.items()))

    def is_empty(self) -> bool:
        return self.conn.execute("SELECT COUNT(*) FROM files").fetchone()[0] == 0
