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


class TerminalStream:
    """Prints the interviewer's words as the LLM streams them; the reply then prints only what is left."""

    def __init__(self, err: bool):
        self.err = err
        self.started = False

    def __call__(self, kind: str, token: str) -> None:
        if not self.started:
            click.echo("", err=self.err)
            if kind == "probe":
                click.echo("Follow-up: ", nl=False, err=self.err)
            self.started = True
        click.echo(token, nl=False, err=self.err)

    def show(self, reply: Reply, out) -> None:
        for note in reply.notes or []:
            if self.started:
                click.echo("", err=self.err)
            out(f"(note: {note})")
        if reply.streamed and self.started:
            rest = reply.text[len(reply.streamed):]
            click.echo(rest, err=self.err)
        else:
            if self.started:
                click.echo("", err=self.err)
            out("")
            out(("Follow-up: " if reply.kind == "probe" else "") + reply.text)
        self.started = False


def run_chat(services: Services, role, n, seed, resume_id, as_json: bool, use_llm) -> None:
    interviewer = build_interviewer(services, use_llm)
    interactive = sys.stdin.isatty()
    out = (lambda text: click.echo(text, err=True)) if as_json else click.echo
    stream = TerminalStream(err=as_json)
    reply = interviewer.resume(resume_id) if resume_id else interviewer.start(role, n, seed, on_token=stream)
    session = reply.session
    out(f"[session {session.id} · resume with: mockinterview chat --resume {session.id}]")
    if interactive:
        out("(finish an answer with an empty line; /skip skips the question, /end ends the interview)")
    while reply.kind != "finished":
        stream.show(reply, out)
        answer = read_answer(interactive)
        try:
            if answer is None or answer.strip() == "/end":
                reply = interviewer.end(session, on_token=stream)
            elif answer.strip() == "/skip":
                reply = interviewer.skip(session, on_token=stream)
            else:
                reply = interviewer.answer(session, answer, on_token=stream)
        except AnswerError as exc:
            out(f"error: {exc}")
            continue
        if reply.graded is not None and not as_json:
            engine = reply.graded.engine + (" fallback" if reply.graded.fallback_reason else "")
            out(f"  (graded {reply.graded.overall_level:.2f}/4 by {engine})")
    stream.show(reply, out)
    if as_json:
        click.echo(__import__("json").dumps(session_json(session), indent=2, ensure_ascii=False))
    else:
        click.echo(session_markdown(session))
