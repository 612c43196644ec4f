"""The Gradio app: interview chat and critique. A thin layer: every decision happens in agent/."""
from __future__ import annotations

import queue
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import gradio as gr

from agent.interviewer import Interviewer, Reply
from agent.report import grade_markdown, session_markdown
from mockinterview.app import Services
from mockinterview.engines import build_interviewer
from mockinterview.errors import MockInterviewError
from mockinterview.grading_cli import grade_one
from ui.charts import radar_chart

GENERAL = "general"


class InterviewUI:
    def __init__(self, services: Services, interviewer: Interviewer):
        self.services = services
        self.interviewer = interviewer
        self.chart_dir = Path(tempfile.mkdtemp(prefix="mockinterview-charts-"))

    def role_choices(self) -> list[tuple[str, str]]:
        names = self.services.catalog.role_names()
        return [(names.get(r, r), r) for r in self.services.catalog.roles()]

    # --- interview -------------------------------------------------------------------------
    def start(self, role: str, questions: float, seed: str):
        try:
            n, chosen_seed = int(questions), int(seed) if str(seed).strip() else None
        except ValueError as exc:
            yield [], "", f"**Error:** {exc}", "", None
            return
        box: dict[str, Any] = {}
        for partial in streamed(lambda on_token: self.interviewer.start(role, n, chosen_seed, on_token=on_token), box):
            yield [{"role": "assistant", "content": partial}], "", "_the interviewer is speaking…_", "", None
        if "error" in box:
            yield [], "", f"**Error:** {box['error']}", "", None
            return
        reply = box["reply"]
        history = [*self._notes(reply), {"role": "assistant", "content": reply.text}]
        yield history, reply.session.id, self._counter(reply), "", None

    def resume(self, session_id: str):
        try:
            reply = self.interviewer.resume(session_id.strip())
        except MockInterviewError as exc:
            return [], "", f"**Error:** {exc}", "", None
        history = self._history(reply)
        return (history, reply.session.id, self._counter(reply), *self._report(reply))

    def answer(self, text: str, history: list, session_id: str, command: str = "answer"):
        """A generator: the candidate's message at once, the interviewer's words as they stream, then the result."""
        if not session_id:
            yield history, "", "**Start an interview first.**", "", None
            return
        try:
            session = self.interviewer.store.load(session_id)
        except MockInterviewError as exc:
            yield history, text, f"**Error:** {exc}", "", None
            return
        if command == "skip":
            call: Callable = lambda on_token: self.interviewer.skip(session, on_token=on_token)  # noqa: E731
        elif command == "end":
            call = lambda on_token: self.interviewer.end(session, on_token=on_token)  # noqa: E731
        else:
            call = lambda on_token: self.interviewer.answer(session, text or "", on_token=on_token)  # noqa: E731
        sent = [*history, {"role": "user", "content": text or "(empty answer)"}] if command == "answer" else history
        yield sent, "", "_grading…_", "", None
        box: dict[str, Any] = {}
        for partial in streamed(call, box):
            yield [*sent, {"role": "assistant", "content": partial}], "", "_the interviewer is speaking…_", "", None
        if "error" in box:  # nothing was lost: the answer stays in the box to send again
            yield history, text, f"**Error:** {box['error']}", "", None
            return
        reply: Reply = box["reply"]
        history = sent
        if reply.graded is not None:
            g = reply.graded
            engine = g.engine if not g.fallback_reason else f"offline (LLM failed: {g.fallback_reason})"
            history = [*history, {"role": "assistant", "content": f"(answer graded: {g.overall_level:.2f}/4, engine: {engine})",
                                  "metadata": {"title": "grade"}}]
        prefix = "**Follow-up:** " if reply.kind == "probe" else ""
        history = history + self._notes(reply) + [{"role": "assistant", "content": prefix + reply.text}]
        yield (history, "", self._counter(reply), *self._report(reply))

    @staticmethod
    def _notes(reply: Reply) -> list[dict]:
        return [{"role": "assistant", "content": note, "metadata": {"title": "note"}} for note in reply.notes or []]

    def _counter(self, reply: Reply) -> str:
        s = reply.session
        if reply.kind == "finished":
            return f"**Finished** · overall {s.overall_level:.2f}/4 · {s.recommendation}"
        probe = " · follow-up" if reply.kind == "probe" else ""
        return f"Question **{len(s.turns)} of {len(s.plan)}**{probe} · session `{s.id}`"

    def _report(self, reply: Reply) -> tuple[str, str | None]:
        if reply.kind != "finished":
            return "", None
        s = reply.session
        chart = None
        if s.dimension_summary:
            chart = str(radar_chart(s.dimension_summary, self.chart_dir / f"{s.id}.png", title=s.role_name))
        return session_markdown(s), chart

    def _history(self, reply: Reply) -> list[dict]:
        history = []
        for turn in reply.session.turns:
            history.append({"role": "assistant", "content": turn.question.text})
            if turn.answer:
                history.append({"role": "user", "content": turn.answer})
            for probe in turn.probes:
                history.append({"role": "assistant", "content": "**Follow-up:** " + probe.question})
                if probe.answer:
                    history.append({"role": "user", "content": probe.answer})
        if reply.kind != "finished" and (not history or history[-1]["role"] == "user"):
            history.append({"role": "assistant", "content": reply.text})
        return history

    # --- critique --------------------------------------------------------------------------
    def critique(self, role: str, question: str, answer: str, reference: str):
        item = {"role": None if role in ("", GENERAL) else role, "question": question or "", "answer": answer or "",
                "reference": reference or None}
        try:
            result = grade_one(self.services, self.interviewer.grader, item)
        except MockInterviewError as exc:
            return f"**Error:** {exc}", None, {}
        from agent.schemas import Grade

        grade = Grade.model_validate(result)
        chart = str(radar_chart(grade.dimensions, self.chart_dir / f"critique-{abs(hash(answer))}.png")) if grade.dimensions else None
        return grade_markdown(grade), chart, result


def streamed(call: Callable[[Callable[[str, str], None]], Reply], box: dict[str, Any]) -> Iterator[str]:
    """Run an interviewer step in a worker thread and yield its words as they stream; the reply (or error) lands in `box`."""
    tokens: queue.Queue = queue.Queue()

    def work() -> None:
        try:
            box["reply"] = call(lambda kind, token: tokens.put(token))
        except MockInterviewError as exc:
            box["error"] = exc
        finally:
            tokens.put(None)

    threading.Thread(target=work, daemon=True).start()
    partial = ""
    while (token := tokens.get()) is not None:
        partial += token
        yield partial


def engine_label(services: Services, interviewer: Interviewer) -> str:
    settings = services.settings
    if type(interviewer.grader).__name__ == "LLMGrader":
        return (f"_Engine: LLM `{settings.llm_model}` at `{settings.llm_base_url}`, with the offline grader beside it; "
                "any LLM failure falls back to offline and says so._")
    return "_Engine: offline (no LLM endpoint configured)._"


def build_app(services: Services, interviewer: Interviewer) -> gr.Blocks:
    view = InterviewUI(services, interviewer)
    roles = view.role_choices()
    with gr.Blocks(title="mockinterview") as app:
        gr.Markdown("# mockinterview\nPractice interviews graded against a role scorecard, critiques of single answers.")
        gr.Markdown(engine_label(services, interviewer))
        with gr.Tab("Interview"):
            with gr.Row():
                role = gr.Dropdown(roles, value=roles[0][1] if roles else None, label="Role")
                count = gr.Slider(1, 12, value=services.settings.questions_per_interview, step=1, label="Questions")
                seed = gr.Textbox(label="Seed (optional)", value="")
                start = gr.Button("Start interview", variant="primary")
            with gr.Row():
                resume_id = gr.Textbox(label="Resume session id", scale=3)
                resume = gr.Button("Resume", scale=1)
            counter = gr.Markdown()
            chat = gr.Chatbot(label="Interview", height=420)
            session_id = gr.State("")
            box = gr.Textbox(label="Your answer", lines=4, placeholder="Answer as you would in the interview")
            with gr.Row():
                send = gr.Button("Send answer", variant="primary")
                skip = gr.Button("Skip question")
                end = gr.Button("End interview")
            chart = gr.Image(label="Scorecard", type="filepath")
            report = gr.Markdown()
            start.click(view.start, [role, count, seed], [chat, session_id, counter, report, chart], api_name="start")
            resume.click(view.resume, [resume_id], [chat, session_id, counter, report, chart], api_name="resume")
            outputs = [chat, box, counter, report, chart]
            send.click(view.answer, [box, chat, session_id], outputs, api_name="answer")
            box.submit(view.answer, [box, chat, session_id], outputs, api_name=False)

            def skip_question(history, sid):
                yield from view.answer("", history, sid, "skip")

            def end_interview(history, sid):
                yield from view.answer("", history, sid, "end")

            skip.click(skip_question, [chat, session_id], outputs, api_name="skip")
            end.click(end_interview, [chat, session_id], outputs, api_name="end")
        with gr.Tab("Critique"):
            with gr.Row():
                c_role = gr.Dropdown([("General (any question)", GENERAL), *roles], value=GENERAL, label="Role")
            c_question = gr.Textbox(label="Question", lines=2)
            c_answer = gr.Textbox(label="Your answer", lines=8)
            c_reference = gr.Textbox(label="Reference answer (optional)", lines=4)
            c_go = gr.Button("Critique", variant="primary")
            c_chart = gr.Image(label="Scores", type="filepath")
            c_out = gr.Markdown()
            c_json = gr.JSON(label="JSON")
            c_go.click(view.critique, [c_role, c_question, c_answer, c_reference], [c_out, c_chart, c_json], api_name="critique")
    return app


def launch(services: Services, host: str = "127.0.0.1", port: int = 7860, use_llm: bool | None = None, block: bool = True):
    interviewer = build_interviewer(services, use_llm)
    app = build_app(services, interviewer)
    app.queue(default_concurrency_limit=4)
    return app.launch(server_name=host, server_port=port, prevent_thread_lock=not block, show_error=True)
