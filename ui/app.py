"""The Gradio app: interview chat and critique. A thin layer: every decision happens in agent/."""
from __future__ import annotations

import tempfile
from pathlib import Path

import gradio as gr

from agent.interviewer import Interviewer, Reply
from agent.report import grade_json, grade_markdown, session_markdown
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
            reply = self.interviewer.start(role, int(questions), int(seed) if str(seed).strip() else None)
        except (MockInterviewError, ValueError) as exc:
            return [], "", f"**Error:** {exc}", "", None
        history = [{"role": "assistant", "content": reply.text}]
        return history, reply.session.id, self._counter(reply), "", None

    def resume(self, session_id: str):
        try:
            reply = self.interviewer.resume(session_id.strip())
        except MockInterviewError as exc:
            return [], "", f"**Error:** {exc}", "", None
        history = self._history(reply)
        return (history, reply.session.id, self._counter(reply), *self._report(reply))

    def answer(self, text: str, history: list, session_id: str, command: str = "answer"):
        if not session_id:
            return history, "", "**Start an interview first.**", "", None
        try:
            session = self.interviewer.store.load(session_id)
            if command == "skip":
                reply = self.interviewer.skip(session)
            elif command == "end":
                reply = self.interviewer.end(session)
            else:
                reply = self.interviewer.answer(session, text or "")
                history = history + [{"role": "user", "content": text or "(empty answer)"}]
        except MockInterviewError as exc:
            return history, text, f"**Error:** {exc}", "", None
        if reply.graded is not None:
            history = history + [{"role": "assistant", "content": f"(answer graded: {reply.graded.overall_level:.2f}/4, engine: {reply.graded.engine})",
                                  "metadata": {"title": "grade"}}]
        prefix = "**Follow-up:** " if reply.kind == "probe" else ""
        history = history + [{"role": "assistant", "content": prefix + reply.text}]
        return (history, "", self._counter(reply), *self._report(reply))

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


def build_app(services: Services, interviewer: Interviewer) -> gr.Blocks:
    view = InterviewUI(services, interviewer)
    roles = view.role_choices()
    with gr.Blocks(title="mockinterview") as app:
        gr.Markdown("# mockinterview\nPractice interviews graded against a role scorecard, critiques of single answers.")
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
            skip.click(lambda h, s: view.answer("", h, s, "skip"), [chat, session_id], outputs, api_name="skip")
            end.click(lambda h, s: view.answer("", h, s, "end"), [chat, session_id], outputs, api_name="end")
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
