"""The terminal interview: prompts out, answers in, each step saved before the next prompt."""
from __future__ import annotations

import sys

import click

from agent.interviewer import Reply
from agent.report import session_json, session_markdown
from mockinterview.app import Services
from mockinterview.engines import build_interviewer
from mockinterview.errors import AnswerError

COMMANDS = {"/skip", "/end"}


def read_answer(interactive: bool) -> str | None:
    """A TTY answer ends with an empty line (or a command); piped input is one answer per line."""
    if not interactive:
        line = sys.stdin.readline()
        return None if line == "" else line.rstrip("\n")
    lines: list[str] = []
    while True:
        try:
            line = input("… " if lines else "> ")
        except EOFError:
            return "\n".join(lines) if lines else None
        if line.strip() in COMMANDS and not lines:
            return line.strip()
        if not line.strip() and lines:
            return "\n".join(lines)
        if line.strip():
            lines.append(line)


def run_chat(services: Services, role, n, seed, resume_id, as_json: bool, use_llm) -> None:
    interviewer = build_interviewer(services, use_llm)
    interactive = sys.stdin.isatty()
    out = (lambda text: click.echo(text, err=True)) if as_json else click.echo
    reply = interviewer.resume(resume_id) if resume_id else interviewer.start(role, n, seed)
    session = reply.session
    out(f"[session {session.id} · resume with: mockinterview chat --resume {session.id}]")
    if interactive:
        out("(finish an answer with an empty line; /skip skips the question, /end ends the interview)")
    while reply.kind != "finished":
        out("")
        out(("Follow-up: " if reply.kind == "probe" else "") + reply.text)
        answer = read_answer(interactive)
        try:
            if answer is None or answer.strip() == "/end":
                reply = interviewer.end(session)
            elif answer.strip() == "/skip":
                reply = interviewer.skip(session)
            else:
                reply = interviewer.answer(session, answer)
        except AnswerError as exc:
            out(f"error: {exc}")
            continue
        if reply.graded is not None and not as_json:
            out(f"  (graded {reply.graded.overall_level:.2f}/4)")
    out("")
    out(reply.text)
    if as_json:
        click.echo(__import__("json").dumps(session_json(session), indent=2, ensure_ascii=False))
    else:
        click.echo(session_markdown(session))
