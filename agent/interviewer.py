"""Runs an interview: plan, ask, probe, grade, persist. Orchestration only; decisions live in the policy modules."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from agent.grader import OfflineGrader
from agent.junk import detect_junk
from agent.phrasing import Phrased, Phraser, TemplatePhraser
from agent.planning import plan_interview
from agent.probing import decide_probe
from agent.schemas import DimensionGrade, Gap, Grade, Probe, Session, Turn
from agent.scoring import level_from_score, recommendation, weighted_overall
from agent.store import SessionStore
from agent.templates import phrase
from knowledge.models import BEHAVIORAL_ROLE
from mockinterview.app import Services
from mockinterview.errors import AnswerError, SessionError

OnToken = Callable[[str, str], None]  # (what is being worded: opening | transition | probe, token)


@dataclass
class Reply:
    kind: Literal["question", "probe", "finished"]
    text: str
    session: Session
    graded: Grade | None = None  # the grade of the turn this reply closed, if any
    gap: Gap | None = None
    notes: list[str] | None = None  # visible notes: an LLM failure this step survived
    streamed: str = ""  # the start of `text` that already reached on_token, token by token


class _Step:
    """What one interviewer step streamed and noted, so the reply can say so."""

    def __init__(self, on_token: OnToken | None):
        self.on_token = on_token
        self.streamed = ""
        self.notes: list[str] = []

    def sink(self, kind: str):
        if self.on_token is None:
            return None
        return lambda token: self.on_token(kind, token)  # type: ignore[misc]

    def take(self, phrased: Phrased, turn: Turn | None) -> str:
        if phrased.note:
            self.notes.append(phrased.note)
        if turn is not None:
            turn.usage.add(phrased.usage)
            if phrased.note:
                turn.notes.append(phrased.note)
        return phrased.text


class Interviewer:
    def __init__(self, services: Services, grader: OfflineGrader, store: SessionStore, phraser: Phraser | None = None,
                 on_new_step: Callable[[], None] | None = None):
        self.services = services
        self.grader = grader
        self.store = store
        self.phraser = phraser or TemplatePhraser()
        self.settings = services.settings
        self._on_new_step = on_new_step  # LLM mode: each step tries the endpoint again

    def _step(self, on_token: OnToken | None) -> _Step:
        if self._on_new_step is not None:
            self._on_new_step()
        return _Step(on_token)

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self, role: str, questions: int | None = None, seed: int | None = None, on_token: OnToken | None = None) -> Reply:
        step = self._step(on_token)
        self.services.require_role(role)
        n = questions or self.settings.questions_per_interview
        if not 1 <= n <= 30:
            raise AnswerError(f"--questions must be between 1 and 30, got {n}")
        scorecard = self.services.scorecard_for(role)
        pool = self.services.catalog.questions(role) + self.services.catalog.questions(BEHAVIORAL_ROLE)
        plan = plan_interview(pool, scorecard, n, seed, self._ranked(role, scorecard))
        names = self.services.catalog.role_names()
        session = Session(role=role, role_name=names.get(role, role), seed=seed, plan=plan)
        session.turns.append(Turn(question=plan[0]))
        self.store.save(session)
        questions = "1 question" if len(plan) == 1 else f"{len(plan)} questions"
        default = phrase("offline", "opening", role_name=session.role_name, questions=questions)
        phrased = self.phraser.opening(session.role_name, len(plan), default, step.sink("opening"))
        opening = step.take(phrased, session.turns[0])
        self.store.save(session)
        return self._reply(step, phrased, Reply("question", opening + "\n\n" + self._question_text(session), session))

    def resume(self, session_id: str) -> Reply:
        session = self.store.load(session_id)
        if session.status == "finished":
            return Reply("finished", phrase("offline", "closing"), session)
        return self.prompt(session)

    def prompt(self, session: Session) -> Reply:
        """What the candidate is being asked right now (used on resume and by the UI)."""
        turn = session.current
        if turn is None:
            return self._advance(session, None, self._step(None))
        if turn.status == "probing":
            return Reply("probe", turn.probes[-1].question, session, gap=turn.probes[-1].gap)
        return Reply("question", self._question_text(session), session)

    def answer(self, session: Session, text: str, on_token: OnToken | None = None) -> Reply:
        step = self._step(on_token)
        if session.status == "finished":
            raise SessionError(f"session {session.id} is finished; start a new one")
        if len(text) > self.settings.max_answer_chars:
            raise AnswerError(
                f"answer is {len(text):,} characters; the limit is {self.settings.max_answer_chars:,}: shorten it and send again"
            )
        turn = session.current
        if turn is None:
            return self._advance(session, None, step)
        if turn.status == "probing":
            turn.probes[-1].answer = text
        else:
            turn.answer = text
        self.store.save(session)  # the answer is durable before any analysis or LLM call runs
        return self._after_answer(session, turn, step)

    def skip(self, session: Session, on_token: OnToken | None = None) -> Reply:
        """Move on. What was already answered is graded; an unanswered question is marked skipped."""
        step = self._step(on_token)
        turn = session.current
        graded = None
        if turn is not None and turn.answer.strip():
            graded = self._grade_turn(session, turn, step)
        elif turn is not None:
            turn.status = "skipped"
            self.store.save(session)
        return self._advance(session, graded, step)

    def end(self, session: Session, on_token: OnToken | None = None) -> Reply:
        step = self._step(on_token)
        turn = session.current
        if turn is not None and (turn.answer or turn.probes):
            self._grade_turn(session, turn, step)
        elif turn is not None:
            turn.status = "skipped"
        return self._finish(session, None, step)

    # ---- steps --------------------------------------------------------------------------------
    def _after_answer(self, session: Session, turn: Turn, step: _Step) -> Reply:
        scorecard = self.services.scorecard_for(session.role)
        analysis = self.grader.analyze(turn.question, turn.full_answer())
        junk = detect_junk(analysis)
        estimate = 1.0 if junk else self.grader.estimate(turn.question, analysis, scorecard)
        asked = [p.gap for p in turn.probes]
        decision = decide_probe(turn.question, analysis, junk, estimate, asked, self.settings.max_probes_per_question)
        if decision.gap is not None:
            default = phrase("offline", f"probes.{decision.gap}", question=turn.question.text)
            phrased = self.phraser.probe(session.role_name, turn.question, turn.full_answer(), decision.gap,
                                         self._related(session, turn), default, step.sink("probe"))
            text = step.take(phrased, turn)
            turn.probes.append(Probe(gap=decision.gap, question=text))
            turn.status = "probing"
            self.store.save(session)
            return self._reply(step, phrased, Reply("probe", text, session, gap=decision.gap))
        graded = self._grade_turn(session, turn, step)
        return self._advance(session, graded, step)

    def _related(self, session: Session, turn: Turn):
        return [p for p in self.services.retriever.search(turn.question.text, role=session.role, k=6)
                if p.section != turn.question.section]

    def _grade_turn(self, session: Session, turn: Turn, step: _Step) -> Grade:
        scorecard = self.services.scorecard_for(session.role)
        turn.grade = self.grader.grade(turn.question, turn.full_answer(), scorecard, related=self._related(session, turn))
        turn.usage.add(turn.grade.usage)
        if turn.grade.fallback_reason:
            note = f"LLM grading failed ({turn.grade.fallback_reason}); this answer has the offline grade"
            step.notes.append(note)
            turn.notes.append(note)
        turn.status = "graded"
        self.store.save(session)
        return turn.grade

    def _advance(self, session: Session, graded: Grade | None, step: _Step) -> Reply:
        index = len(session.turns)
        if index >= len(session.plan):
            return self._finish(session, graded, step)
        turn = Turn(question=session.plan[index])
        session.turns.append(turn)
        self.store.save(session)  # the next question is durable before any wording is asked for
        text = self._question_text(session)
        phrased = None
        if graded is not None:
            phrased = self.phraser.transition(session.role_name, turn.question, "", step.sink("transition"))
            lead = step.take(phrased, turn)
            if lead:
                text = lead + "\n\n" + text
            self.store.save(session)
        return self._reply(step, phrased, Reply("question", text, session, graded=graded))

    def _finish(self, session: Session, graded: Grade | None, step: _Step) -> Reply:
        scorecard = self.services.scorecard_for(session.role)
        by_dim: dict[str, list[DimensionGrade]] = {}
        for turn in session.turns:
            for grade in (turn.grade.dimensions if turn.grade else []):
                by_dim.setdefault(grade.dimension, []).append(grade)
        summary = []
        for dim in scorecard.dimensions:
            grades = by_dim.get(dim.id)
            if not grades:
                continue
            score = sum(g.score for g in grades) / len(grades)
            level = level_from_score(score)
            evidence = [e for g in grades for e in g.evidence][:3]
            summary.append(DimensionGrade(dimension=dim.id, name=dim.name, level=level, score=round(score, 3),
                                          evidence=evidence, reason=f"average over {len(grades)} answer(s)"))
        scores = {g.dimension: g.score for g in summary}
        overall = weighted_overall(scores, scorecard.normalised_weights()) if scores else 1.0
        session.dimension_summary = summary
        session.overall_level = round(overall, 3)
        session.recommendation = recommendation(overall, min(scores.values()) if scores else None)  # type: ignore[assignment]
        session.status = "finished"
        self.store.save(session)
        return self._reply(step, None, Reply("finished", phrase("offline", "closing"), session, graded=graded))

    @staticmethod
    def _reply(step: _Step, phrased: Phrased | None, reply: Reply) -> Reply:
        reply.notes = step.notes or None
        if phrased is not None and phrased.streamed and not phrased.note:
            reply.streamed = phrased.text
        return reply

    # ---- helpers ------------------------------------------------------------------------------
    def _question_text(self, session: Session) -> str:
        number = len(session.turns)
        question = session.turns[-1].question
        return phrase("offline", "question", number=number, count=len(session.plan),
                      category=question.category, question=question.text)

    def _ranked(self, role: str, scorecard) -> dict[str, list[str]]:
        queries = [d.text_for_matching() for d in scorecard.dimensions]
        results = self.services.retriever.search_many(queries, role, k=8, kind="questions")
        return {d.id: [p.question_id for p in hits if p.question_id] for d, hits in zip(scorecard.dimensions, results)}
