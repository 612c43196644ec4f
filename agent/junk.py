"""Recognise answers with nothing to grade before anything else. Pure."""
from __future__ import annotations

from itertools import pairwise

from agent.analysis import AnswerAnalysis
from agent.safety import KEYWORDS
from agent.text_signals import is_filler_reply, says_dont_know

OFF_TOPIC_BELOW = 0.28
# With only the question's words to compare with, a long on-topic answer can sit far from them: on the grading set,
# graded against the question alone, 5% of level-4 answers score below 0.19. Only a near-zero match is off topic.
BARE_OFF_TOPIC_BELOW = 0.12
PADDING_OVERLAP = 0.55
RIVAL_MARGIN = 0.08  # another known question fits the answer clearly better than the one asked
# ...and the answer covers that question's key points clearly better than its own. Closeness alone misfired: on the
# train and dev splits 16 of the 22 answers it called off topic were labelled level 2 or higher. With this lead it
# calls 1 of those 16, and still 136 of the 181 strong answers it caught when moved to a neighbouring question.
RIVAL_COVERAGE_LEAD = 0.25
OWN_COVERAGE = 0.5


def tells_own_story(analysis: AnswerAnalysis) -> bool:
    """A narrative of something the candidate or their team went through: what a behavioral question asks for.
    One pronoun is enough: terse and bullet-style stories drop them ("Told the PM what I'd cut")."""
    signals = analysis.signals
    return signals.i_count + signals.we_count >= 1 and signals.past_tense >= 4


def drifts_to_other_question(analysis: AnswerAnalysis) -> bool:
    """A substantive answer that sits nearer another known question than the one asked and covers little of its
    own: worth steering back to the question (a probe), not yet proof that it answers a different one."""
    return (
        analysis.signals.words >= 30  # short vague answers resemble many questions
        and bool(analysis.keypoint_sims)  # a team's own question has no key points; a guide question near it is no rival
        # A personal story told to a behavioral question is exempt: one story fairly answers several behavioral
        # prompts and always sounds like the technical questions of its domain, so a closer rival proves nothing.
        and not (analysis.behavioral and tells_own_story(analysis))
        and analysis.rival_similarity - analysis.anchor_similarity > RIVAL_MARGIN
        and analysis.coverage < 0.3
    )


def answers_other_question(analysis: AnswerAnalysis) -> bool:
    """It drifts to another question and covers that question's key points clearly better than its own."""
    return drifts_to_other_question(analysis) and analysis.rival_coverage - analysis.coverage >= RIVAL_COVERAGE_LEAD


def covers_own_question(analysis: AnswerAnalysis) -> bool:
    """Some sentence matches most of the question's key points (or of its reference): whatever else the answer
    says, it is an answer to this question. Guards against a model that calls on-topic answers off topic."""
    return analysis.coverage >= OWN_COVERAGE or analysis.keypoint_hits >= OWN_COVERAGE


def detect_junk(analysis: AnswerAnalysis, knowledge_check: bool = False) -> str | None:
    """A plain reason when the answer has no gradable substance, else None.

    On a knowledge check (a short reference answer to agree with) a few correct words are a fine answer, and
    whether it is on topic is what the correctness model measures; only the content-free cases apply there."""
    text = analysis.text.strip()
    raw = analysis.sanitized
    if not text:
        if raw.attacked:
            what = "a keyword list" if raw.flags == [KEYWORDS] else "instructions aimed at the grader"
            return f"the answer contains only {what}, no content"
        if raw.uncredited:
            return "the answer only lists terms, with nothing said about how they were used"
        return "empty answer"
    signals = analysis.signals
    if signals.words <= 3 and is_filler_reply(text):
        return f"no substance: a one-word reply ('{text[:20]}')"
    if says_dont_know(text, knowledge_check):
        return "the candidate says they do not know"
    tokens = text.lower().split()
    stutter = sum(1 for a, b in pairwise(tokens) if a == b) / max(1, len(tokens) - 1)
    if analysis.gibberish >= 0.5 or (signals.words >= 3 and signals.unique_word_ratio < 0.2) or stutter >= 0.25 or "lorem ipsum" in text.lower():
        return "the answer is not readable text"
    if knowledge_check:
        return None
    if signals.words < 6:
        return "too short to show anything (under six words)"
    story = analysis.behavioral and tells_own_story(analysis)
    # Graded from the question alone, the rival-question rule cannot fire (no key points) and "nothing concrete"
    # has no coverage to measure: that is left to the question-only model. An excellent answer to a different
    # question is then told from an unusual one only when it shares nearly nothing with the question.
    off_topic_below = BARE_OFF_TOPIC_BELOW if analysis.bare else OFF_TOPIC_BELOW
    if analysis.best_topic_match < off_topic_below or answers_other_question(analysis):
        return "the answer addresses a different question"
    if (analysis.question_overlap >= PADDING_OVERLAP and analysis.coverage < 0.15) or (
        analysis.relevance >= 0.85 and analysis.question_overlap >= 0.45 and signals.numbers == 0
    ):
        return "the answer restates the question without adding content"
    specific = signals.numbers + signals.vocab_hits.get("method", 0) + signals.tradeoffs
    if signals.words >= 60 and analysis.coverage < 0.08 and specific <= 1 and analysis.reference_coverage < 0.1 and not story and not analysis.bare:
        # A story told to a behavioral question is concrete in events and people, not in numbers or methods;
        # how good it is, the model judges (on the train and dev splits every such story this rule caught was
        # labelled, mostly above level 1).
        return "a long answer that says nothing concrete"
    if signals.words >= 100 and signals.numbers == 0 and specific <= 3 and signals.buzz >= 3 and analysis.keypoint_hits <= 0.4:
        return "a long answer of general claims and buzzwords with nothing concrete"
    return None
