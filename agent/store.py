"""Sessions in SQLite. Every step is committed before the next prompt is shown, so a crash loses nothing."""
from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from agent.schemas import Session
from mockinterview.errors import SessionError


class SessionStore:
    def __init__(self, db_path: Path):
        db_path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = sqlite3.connect(str(db_path), timeout=10, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, role TEXT, status TEXT, updated_at REAL, record TEXT)"
        )
        self.conn.commit()

    def save(self, session: Session) -> None:
        with self.conn:
            self.conn.execute(
                "INSERT OR REPLACE INTO sessions VALUES (?,?,?,?,?)",
                (session.id, session.role, session.status, time.time(), session.model_dump_json()),
            )

    def load(self, session_id: str) -> Session:
        row = self.conn.execute("SELECT record FROM sessions WHERE id=?", (session_id,)).fetchone()
        if row is None:
            raise SessionError(f"no session '{session_id}'; `mockinterview sessions` lists the saved ones")
        return Session.model_validate_json(row[0])

    def list(self, limit: int = 20) -> list[tuple[str, str, str, float]]:
        rows = self.conn.execute(
            "SELECT id, role, status, updated_at FROM sessions ORDER BY updated_at DESC LIMIT ?", (limit,)
        ).fetchall()
        return [tuple(r) for r in rows]

    def close(self) -> None:
        self.conn.close()
