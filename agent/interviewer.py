"""Runs an interview: plan, ask, probe, grade, persist. Orchestration only; decisions live in the policy modules."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

from agent.grader import OfflineGrader
from agent.planning import plan_interview
from agent.probing import decide_probe
from agent.junk import detect_junk
from agent.schemas import DimensionGrade, Gap, Grade, Probe, Session, Turn
from agent.scoring import level_from_score, recommendation, weighted_overall
from agent.store import SessionStore
from agent.templates import phrase
from knowledge.models import BEHAVIORAL_ROLE, GuideQuestion
from mockinterview.app import Services
from mockinterview.errors import AnswerError, SessionError


@dataclass
class Reply:
    kind: Literal["question", "probe", "finished"]
    text: str
    session: Session
    graded: Grade | None = None  # the grade of the turn this reply closed, if any
    gap: Gap | None = None


class Phraser(Protocol):
    """Words the interviewer's lines. The offline phraser uses templates; the LLM one rewords them in context."""

    def probe(self, question: GuideQuestion, answer: str, gap: Gap, default: str) -> str: ...


class TemplatePhraser:
    def probe(self, question: GuideQuestion, answer: str, gap: Gap, default: str) -> str:
        return default


class Interviewer:
    def __init__(self, services: Services, grader: OfflineGrader, store: SessionStore, phraser: Phraser | None = None):
        self.services = services
        self.grader = grader
        self.store = store
        self.phraser = phraser or TemplatePhraser()
        self.settings = services.settings

    # ---- lifecycle ----------------------------------------------------------------------------
    def start(self, role: str, questions: int | None = None, seed: int | None = None) -> Reply:
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
        opening = phrase("offline", "opening", role_name=session.role_name, count=len(plan))
        return Reply("question", opening + "\n\n" + self._question_text(session), session)

    def resume(self, session_id: str) -> Reply:
        session = self.store.load(session_id)
        if session.status == "finished":
            return Reply("finished", phrase("offline", "closing"), session)
        return self.prompt(session)

    def prompt(self, session: Session) -> Reply:
        """What the candidate is being asked right now (used on resume and by the UI)."""
        turn = session.current
        if turn is None:
            return self._advance(session, None)
        if turn.status == "probing":
            return Reply("probe", turn.probes[-1].question, session, gap=turn.probes[-1].gap)
        return Reply("question", self._question_text(session), session)

    def answer(self, session: Session, text: str) -> Reply:
        if session.status == "finished":
            raise SessionError(f"session {session.id} is finished; start a new one")
        if len(text) > self.settings.max_answer_chars:
            raise AnswerError(
                f"answer is {len(text):,} characters; the limit is {self.settings.max_answer_chars:,}: shorten it and send again"
            )
        turn = session.current
        if turn is None:
            return self._advance(session, None)
        if turn.status == "probing":
            turn.probes[-1].answer = text
        else:
            turn.answer = text
        self.store.save(session)  # the answer is durable before any analysis runs
        return self._after_answer(session, turn)

    def skip(self, session: Session) -> Reply:
        """Move on. What was already answered is graded; an unanswered question is marked skipped."""
        turn = session.current
        graded = None
        if turn is not None and turn.answer.strip():
            graded = self._grade_turn(session, turn)
        elif turn is not None:
            turn.status = "skipped"
            self.store.save(session)
        return self._advance(session, graded)

    def end(self, session: Session) -> Reply:
        turn = session.current
        if turn is not None and (turn.answer or turn.probes):
            self._grade_turn(session, turn)
        elif turn is not None:
            turn.status = "skipped"
        return self._finish(session, None)

    # ---- steps --------------------------------------------------------------------------------
    def _after_answer(self, session: Session, turn: Turn) -> Reply:
        scorecard = self.services.scorecard_for(session.role)
        analysis = self.grader.analyze(turn.question, turn.full_answer())
        junk = detect_junk(analysis)
        estimate = 1.0 if junk else self.grader.estimate(turn.question, analysis, scorecard)
        asked = [p.gap for p in turn.probes]
        decision = decide_probe(turn.question, analysis, junk, estimate, asked, self.settings.max_probes_per_question)
        if decision.gap is not None:
            default = phrase("offline", f"probes.{decision.gap}", question=turn.question.text)
            text = self.phraser.probe(turn.question, turn.full_answer(), decision.gap, default)
            turn.probes.append(Probe(gap=decision.gap, question=text))
            turn.status = "probing"
            self.store.save(session)
            return Reply("probe", text, session, gap=decision.gap)
        graded = self._grade_turn(session, turn)
        return self._advance(session, graded)

    def _grade_turn(self, session: Session, turn: Turn) -> Grade:
        scorecard = self.services.scorecard_for(session.role)
        related = [p for p in self.services.retriever.search(turn.question.text, role=session.role, k=6)
                   if p.section != turn.question.section]
        turn.grade = self.grader.grade(turn.question, turn.full_answer(), scorecard, related=related)
        turn.status = "graded"
        self.store.save(session)
        return turn.grade

    def _advance(self, session: Session, graded: Grade | None) -> Reply:
        index = len(session.turns)
        if index >= len(session.plan):
            return self._finish(session, graded)
        session.turns.append(Turn(question=session.plan[index]))
        self.store.save(session)
        return Reply("question", self._question_text(session), session, graded=graded)

    def _finish(self, session: Session, graded: Grade | None) -> Reply:
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
        return Reply("finished", phrase("offline", "closing"), session, graded=graded)

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
