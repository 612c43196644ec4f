"""How closely an answer agrees with a reference answer, for questions graded on correctness.

Four measures, each blind to the words the question already gives away ("question demoting": an answer that
repeats the question's terms has said nothing yet):
- `similarity`: sentence-embedding cosine of answer and reference;
- `demoted_similarity`: the same after both lose the question's words;
- `lexical_recall`: share of the reference's own content stems the answer contains;
- `soft_recall`: share of the reference's content words that some answer word matches by embedding
  (catches "quicker" against "faster", "delete" against "remove");
- `soft_precision`: the other way round, the share of the answer's own content words that the reference
  matches: what a wrong answer adds (another mechanism, another structure) the reference does not contain;
and three that tell an answer from a restatement of the question: `question_similarity`, `reference_margin`
(closer to the reference than to the question) and `length_ratio` (answer words per reference word, capped so
padding earns nothing past one and a half times the reference); and `class_conflict`, the share of the
complexity classes the answer states that the reference does not (the one measure of a contradiction: to the
embedding, "O(1)" on the right topic is as close to "O(n)" as the right answer is).

Every measure is taken after the answer's typos of the reference's and the question's words are corrected
("comparsions" is "comparisons"; `correct_typos`).

The only I/O is the `encode` callable; the rest is pure.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from agent.analysis import STOPWORDS, Encode

WORD = re.compile(r"o\([^()\s]*\)|[a-z][a-z0-9+#'-]*|\d+(?:\.\d+)?")
# "O(n log n)", "Θ(n^2)": one term each ("o(nlogn)", "o(n2)"), so that O(n) and O(1) differ as answers
BIG_O = re.compile(r"\b[oθω]\s*\(\s*([^()]{1,30}?)\s*\)")
WORD_MATCH = 0.62  # two single words this close in MiniLM space are near-synonyms ("remove"/"delete")
LENGTH_CAP = 1.5
# A word this long that is one slip (a swapped, missing, extra or wrong letter) from a word of the reference or the
# question is that word mistyped: left as typed, its stem matches nothing and MiniLM reads it as other tokens (two
# typos took a correct quiz answer's similarity to the reference from 0.79 to 0.60). A five-letter word only counts
# when two neighbouring letters swapped ("sahre"); shorter words are left alone, since one letter often makes
# another word there ("form" and "from", "node" and "mode").
TYPO_MIN_LENGTH = 6
SWAP_MIN_LENGTH = 5
LETTERS = re.compile(r"[A-Za-z]+")
# Words a reference uses to hold its sentence together; naming them as "missing" would be no advice.
GLUE = set("must need needs needed use uses used using make makes made way one two get gets also like each every "
           "will can may might often usually always never new old same different other another thing things".split())
MEASURES = ("similarity", "demoted_similarity", "lexical_recall", "lexical_precision", "soft_recall",
            "question_similarity", "reference_margin", "length_ratio", "class_conflict", "soft_precision")
LOWERING = {"question_similarity", "class_conflict"}  # measures that can only lower a correctness score


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


def content_terms(text: str) -> list[str]:
    """Lowercased content words in order, stopwords removed; complexity classes and numbers (even one digit) are
    terms, since a quiz answer can be nothing else."""
    text = BIG_O.sub(lambda m: " o(" + re.sub(r"[\s*^]", "", m.group(1)) + ") ", text.lower())
    return [t for t in (w.strip("'-") for w in WORD.findall(text)) if t not in STOPWORDS and (len(t) > 1 or t.isdigit())]


def stems(words: list[str]) -> list[str]:
    return _stemmer().stemWords(words)


@dataclass(frozen=True)
class ReferenceMatch:
    similarity: float = 0.0
    demoted_similarity: float = 0.0
    lexical_recall: float = 0.0
    lexical_precision: float = 0.0
    soft_recall: float = 0.0
    question_similarity: float = 0.0
    reference_margin: float = 0.0
    length_ratio: float = 0.0
    class_conflict: float = 0.0
    soft_precision: float = 0.0
    answer_terms: int = 0
    reference_terms: int = 0
    missing: tuple[str, ...] = ()  # the reference's own content words nothing in the answer matches

    def vector(self, measures: tuple[str, ...] | list[str] = MEASURES) -> np.ndarray:
        """The measures in order; a model file names the ones it was trained on, so an older file still reads."""
        return np.array([getattr(self, m) for m in measures], dtype=np.float64)


def _is_class(term: str) -> bool:
    return term.startswith("o(")  # what `content_terms` makes of "O(n log n)", "Θ(n^2)"


def _exact_only(term: str) -> bool:
    """Numbers and complexity classes have no near-synonyms: O(n) is not O(1), 3 is not 4."""
    return _is_class(term) or term.replace(".", "", 1).isdigit()


def class_conflict(answer_terms: list[str], reference_terms: list[str]) -> float:
    """Share of the answer's complexity classes that the reference never states; zero when the reference states
    none (then there is nothing to contradict) or the answer states none."""
    ref_classes = set(filter(_is_class, reference_terms))
    ans_classes = set(filter(_is_class, answer_terms))
    if not ref_classes or not ans_classes:
        return 0.0
    return len(ans_classes - ref_classes) / len(ans_classes)


def mistyped(word: str, vocabulary: list[str]) -> str | None:
    """The word of `vocabulary` that `word` is one keyboard slip away from, if any (see TYPO_MIN_LENGTH)."""
    word = word.lower()
    if len(word) < SWAP_MIN_LENGTH or word in vocabulary:
        return None
    found = process.extractOne(word, vocabulary, scorer=OSA.distance, score_cutoff=1)
    if found is None or (len(word) < TYPO_MIN_LENGTH and sorted(found[0]) != sorted(word)):
        return None
    return found[0]


def correct_typos(answer: str, *texts: str) -> str:
    """The answer with each mistyped word replaced by the word of `texts` it was meant to be."""
    vocabulary = sorted({w.lower() for t in texts for w in LETTERS.findall(t) if len(w) >= SWAP_MIN_LENGTH})
    if not vocabulary:
        return answer

    def fix(match: re.Match) -> str:
        word = match.group(0)
        meant = mistyped(word, vocabulary)
        return word if meant is None else (meant.capitalize() if word[0].isupper() else meant)

    return LETTERS.sub(fix, answer)


def _matches(word_stems: list[str], best_similarity: np.ndarray, other_stems: set[str]) -> list[float]:
    """1.0 for each word the other text shares by stem or, unless it is a number or a complexity class, by a
    near-synonym; else 0.0."""
    return [1.0 if s in other_stems else float(b >= WORD_MATCH and not _exact_only(s)) for s, b in zip(word_stems, best_similarity)]


def _demoted(words: list[str], question_stems: set[str]) -> list[str]:
    return [w for w, s in zip(words, stems(words)) if s not in question_stems]


def match_reference(question: str, answer: str, reference: str, encode: Encode) -> ReferenceMatch:
    answer = correct_typos(answer, reference, question)
    answer_words, reference_words = content_terms(answer), content_terms(reference)
    if not answer_words or not reference_words:
        return ReferenceMatch(answer_terms=len(answer_words), reference_terms=len(reference_words))
    question_stems = set(stems(content_terms(question)))
    ref_kept = _demoted(reference_words, question_stems) or reference_words  # a reference that only echoes the question
    ans_kept = _demoted(answer_words, question_stems)
    ref_stems, ans_stems = set(stems(ref_kept)), set(stems(ans_kept))
    shared = ref_stems & ans_stems
    texts = [answer, reference, " ".join(ans_kept) or "-", " ".join(ref_kept), question or "-"]
    ref_unique = list(dict.fromkeys(ref_kept))
    ans_unique = list(dict.fromkeys(ans_kept))
    vectors = encode([*texts, *ref_unique, *ans_unique])
    similarity = float(vectors[0] @ vectors[1])
    question_similarity = float(vectors[0] @ vectors[4]) if question.strip() else 0.0
    demoted_similarity = float(vectors[2] @ vectors[3]) if ans_kept else 0.0
    soft_recall = soft_precision = 0.0
    ref_unique_stems = stems(ref_unique)
    matched = [0.0] * len(ref_unique)
    if ans_unique:
        ref_vecs = vectors[5: 5 + len(ref_unique)]
        ans_vecs = vectors[5 + len(ref_unique):]
        sims = ref_vecs @ ans_vecs.T
        matched = _matches(ref_unique_stems, sims.max(axis=1), ans_stems)
        soft_recall = float(np.mean(matched))
        soft_precision = float(np.mean(_matches(stems(ans_unique), sims.max(axis=0), ref_stems)))
    return ReferenceMatch(
        similarity=similarity,
        demoted_similarity=demoted_similarity,
        lexical_recall=len(shared) / len(ref_stems),
        lexical_precision=len(shared) / max(1, len(ans_stems)),
        soft_recall=soft_recall,
        question_similarity=question_similarity,
        reference_margin=similarity - question_similarity,
        length_ratio=min(len(answer_words) / len(reference_words), LENGTH_CAP),
        class_conflict=class_conflict(answer_words, reference_words),
        soft_precision=soft_precision,
        answer_terms=len(answer_words),
        reference_terms=len(reference_words),
        missing=tuple(w for w, m in zip(ref_unique, matched) if not m and w not in GLUE),
    )
