"""Pure text signals of an answer: specificity, ownership, STAR parts, trade-offs, junk markers."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+|\n+")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9'+#./-]*|\d[\d.,]*%?")
NUMBER = re.compile(r"(?<![A-Za-z])(\d+(?:[.,]\d+)?\s*(?:%|x|×|ms|s|fps|k|m|gb|mb|hours?|days?|weeks?|months?|points?|pp)?)", re.IGNORECASE)
I_WORDS = re.compile(r"\b(i|i'm|i've|i'd|my|me|myself)\b", re.IGNORECASE)
WE_WORDS = re.compile(r"\b(we|we're|we've|our|us|the team)\b", re.IGNORECASE)
TRADEOFF = re.compile(
    r"\b(trade[- ]?offs?|traded|at the (cost|expense) of|instead of|rather than|versus|vs\.?|downside|in exchange|"
    r"sacrific\w*|cost us|gave up|balance[ds]?|on the other hand|but it (cost|meant|was slower)|the price was|compromise)\b",
    re.IGNORECASE,
)
RESULT = re.compile(
    r"\b(result(ed)?|outcome|reduc\w+|improv\w+|increas\w+|decreas\w+|cut|saved|dropped|rose|went from|shipped|launched|"
    r"achiev\w+|recover\w+|fell|grew|raised|lowered|halved|doubled|adopted|prevented)\b",
    re.IGNORECASE,
)
SITUATION = re.compile(r"\b(when i was|at my (last|previous)|at \w+, |we had|there was|our (team|product|model)|the (team|company|product|project)|last year|in \d{4})\b", re.IGNORECASE)
TASK = re.compile(r"\b(my (job|task|role|goal|responsibility)|i (was|had been) (asked|responsible|tasked)|i needed to|i had to|the goal was|we needed to|i owned)\b", re.IGNORECASE)
ACTION = re.compile(r"\b(i (built|wrote|ran|designed|added|proposed|profiled|measured|trained|set up|implemented|led|created|fixed|changed|moved|replaced|started|introduced|analy[sz]ed|audited|labeled|collected|tested|benchmarked|deployed|refactored|organi[sz]ed|scheduled|met|talked|asked|paired|reviewed|debugged|split|rolled|shipped|switched|used|spent|decided|compared))\b", re.IGNORECASE)
PAST_TENSE = re.compile(
    r"\b([a-z]{3,}ed|was|were|had|did|went|took|told|found|saw|made|brought|thought|got|came|ran|said|knew|wrote|built|"
    r"led|chose|gave|kept|left|spent|sent|caught|began|became|felt|won|lost|set|put|cut|paid|held|met|sat|stood|"
    r"taught|understood|wasn't|weren't|didn't|couldn't)\b",
    re.IGNORECASE,
)
# Terse and bullet-style stories drop the pronoun: "Proposed we compare both metrics." A sentence that opens on a
# past-tense verb is the speaker's own act; verbs that usually want another subject ("was", "turned out") are not.
NOT_IMPLIED_I = {"was", "were", "had", "did", "wasn't", "weren't", "didn't", "couldn't", "turned", "seemed", "happened",
                 "based", "related", "needed", "used", "called", "named", "added", "combined", "compared", "fixed"}


def implied_i(sentences: list[str]) -> int:
    count = 0
    for sentence in sentences:
        first = sentence.lstrip("-*•·0123456789.) \t").split(" ", 1)[0].strip(",:;").lower()
        count += bool(first) and first not in NOT_IMPLIED_I and PAST_TENSE.fullmatch(first) is not None
    return count


# Sweeping certainty, dismissal and blame: raters mark these answers down however fluent they are.
OVERCLAIM = re.compile(
    r"\b(always|never|obviously|of course|clearly|definitely|simply|solved problem|easy one|trivial|everyone knows|"
    r"nobody (really )?(complain\w*|cares|noticed)|no need to|not much you can do|nothing (you|we) can do|all the time|"
    r"overthink\w*|just works|standard set|ripoff|waste of time|doesn't matter|does not matter|pointless|no brainer|"
    r"honestly)\b",
    re.IGNORECASE,
)
BLAME = re.compile(
    r"\b(outside (of )?(our|my) control|not my fault|their fault|(management|they|the \w+ team) (kept|gave us|didn't|never)|"
    r"not me\b|blame\w*|because of (them|the other team)|wasn't (on )?me)",
    re.IGNORECASE,
)
NUANCE = re.compile(
    r"\b(depends on|unless|except (when|for|if)|only if|i was wrong|i'd been wrong|i had been wrong|turned out|limitation|"
    r"caveat|risk|assum\w+|uncertain\w*|confidence interval|not sure whether|in hindsight|would have|should have|mistake|"
    r"root cause|trade[- ]?off|however|although|whereas)\b",
    re.IGNORECASE,
)
VERIFY = re.compile(
    r"\b(measured|checked|verified|confirmed|compared|re-?ran|reproduc\w+|tested|validated|sliced|held[- ]out|a/b|"
    r"ablat\w+|baseline|control|significan\w+|seeds?|per[- ]slice|broke (it )?down)\b",
    re.IGNORECASE,
)
LEARNING = re.compile(r"\b(learn\w*|lesson|next time|would do differently|since then|now i|taught me)\b", re.IGNORECASE)
# Vagueness: words that stand in for content. A nervous "I guess" or "maybe" is manner, which LABELING.md says not
# to penalise; counted here, one "I guess" cost the dev split's answers 0.19 levels on average, up to 0.9.
HEDGES = re.compile(r"\b(basically|kind of|sort of|stuff|things like that|etc|various|many aspects|it depends|generally|somehow)\b", re.IGNORECASE)
BUZZ = re.compile(
    r"\b(mission[- ]critical|passionate|great question|at the end of the day|holistic|synerg\w*|best practices|cutting[- ]edge|"
    r"game[- ]changer|heart of|world[- ]class|absolutely|paradigm|north star|end-to-end mindset|value[- ]add|move the needle|"
    r"data[- ]driven culture|first principles|core strengths?|deeply|incredibly|truly|key takeaway|strategic(ally)?|"
    r"stakeholder alignment|robust and scalable|seamless(ly)?|thought leadership|excellence|empower\w*|"
    # Empty-process phrases: each can be honest alone, but an answer stacked with them says how it feels, not what it did.
    r"deep[- ]dive|leverag\w*|best[- ]in[- ]class|state[- ]of[- ]the[- ]art|actionable|rolled up my sleeves|connect(ed)? the dots|"
    r"cross[- ]functional\w*|from (every|multiple|all) (possible )?angles?|continuous improvement|hypothesis[- ]driven|"
    r"data[- ]driven( mindset| decision| approach| view)?|significant (positive )?impact|mindset|in alignment|aligned on|"
    r"drive[ds]? (continuous|a solution|impact|value)|minimi[sz]es? risk|maximi[sz]ing learning|scientific approach|"
    r"iterative|agile|robust, scalable)\b",
    re.IGNORECASE,
)
IDK = re.compile(
    r"^\s*(i\s+(really\s+)?(do\s*n[o']?t|dont|cannot|can't|have\s+no)\s+(know|remember|recall|idea|experience|have)|no idea|not sure|"
    r"idk|dunno|pass|skip|no comment|n/?a|nothing|none)\b",
    re.IGNORECASE,
)
FILLER_REPLIES = {"fine", "ok", "okay", "good", "yes", "no", "sure", "yeah", "nope", "great", "cool", "hmm", "whatever", "k",
                  "thanks", "hello", "hi", "test", "asdf", "lol", "?", "...", "-", "na", "n/a", "idk", "pass"}

# Domain vocabularies: used both for specificity and for the dimension each signal supports.
VOCAB: dict[str, tuple[str, ...]] = {
    "method": ("resnet", "vit", "yolo", "faster r-cnn", "mask r-cnn", "detr", "u-net", "unet", "transformer", "cnn", "lstm",
               "bert", "clip", "sam", "dino", "simclr", "mocо", "lora", "qlora", "bm25", "faiss", "hnsw", "cross-encoder",
               "reranker", "rerank", "embedding", "fine-tun", "distillation", "quantiz", "pruning", "int8", "fp16", "tensorrt",
               "onnx", "triton", "vllm", "kalman", "hungarian", "nms", "focal loss", "anchor", "feature pyramid", "attention",
               "contrastive", "self-supervised", "pretrain", "backbone", "augmentation", "mixup", "cutmix", "dropout",
               "batch norm", "learning rate", "optimizer", "adam", "sgd", "gradient", "regulari", "ensemble", "xgboost",
               "logistic", "calibrat", "temperature scaling", "platt", "isotonic", "pytorch", "tensorflow", "opencv", "kubernetes",
               "docker", "kafka", "redis", "postgres", "spark", "airflow", "mlflow", "wandb", "weights & biases", "prometheus",
               "grafana", "chunk", "vector", "index", "retriev", "prompt", "few-shot", "rag", "llm", "gpt", "llama", "tokeniz",
               "kv cache", "batching", "cach", "active learning", "pseudo-label", "hard negative", "sliding window", "tiling",
               "bytetrack", "deepsort", "optical flow", "stereo", "point cloud", "ocr", "segment", "detector", "classifier"),
    "metric": ("precision", "recall", "f1", "map", "iou", "auc", "roc", "accuracy", "latency", "p95", "p99", "throughput",
               "fps", "error rate", "cer", "wer", "ece", "brier", "mae", "rmse", "kappa", "ndcg", "mrr", "recall@",
               "faithfulness", "groundedness", "false positive", "false negative", "confidence interval", "significan",
               "benchmark", "metric", "measured", "dashboard", "baseline", "a/b", "held-out", "test set", "validation set",
               "golden set", "slice"),
    "experiment": ("baseline", "ablation", "hypothesis", "controlled", "a/b", "experiment", "seed", "variance", "repeat",
                   "reproduc", "held-out", "cross-validation", "sweep", "compare", "control group", "significan"),
    "data": ("label", "annotation", "annotator", "dataset", "data", "slice", "distribution", "imbalance", "augment",
             "synthetic", "noise", "noisy", "leakage", "split", "sampling", "active learning", "curat", "golden set",
             "hard example", "edge case", "long tail", "coverage", "drift"),
    "production": ("latency", "throughput", "monitor", "drift", "rollback", "roll back", "canary", "shadow", "deploy",
                   "production", "cost", "gpu", "cpu", "memory", "p95", "p99", "sla", "slo", "alert", "on-call", "edge",
                   "jetson", "serving", "scal", "cache", "budget", "fallback", "incident", "retrain", "pipeline", "version"),
    "collaboration": ("team", "product manager", "pm", "stakeholder", "partner", "align", "agreed", "disagree", "mentor",
                      "pair", "review", "design doc", "meeting", "feedback", "together", "cross-functional", "convinced",
                      "listened", "compromise", "shared", "communicat", "escalat", "support"),
    "responsible": ("privacy", "consent", "fairness", "bias", "audit", "model card", "pii", "gdpr", "safety", "harm",
                    "guardrail", "red team", "injection", "jailbreak", "redact", "anonymi", "demographic", "skin tone",
                    "disparit", "governance", "transparen", "explainab", "security", "access control", "retention"),
}


@dataclass
class TextSignals:
    words: int
    sentences: list[str]
    numbers: int
    i_count: int
    we_count: int
    tradeoffs: int
    results: int
    hedges: int
    buzz: int = 0
    past_tense: int = 0  # past-tense verbs: a told story rather than a general explanation
    overclaim: int = 0
    blame: int = 0
    nuance: int = 0
    verify: int = 0
    vocab_hits: dict[str, int] = field(default_factory=dict)
    star: dict[str, bool] = field(default_factory=dict)
    learning: bool = False
    unique_word_ratio: float = 1.0

    @property
    def star_count(self) -> int:
        return sum(self.star.values())

    @property
    def ownership(self) -> bool:
        """Personal role stated: some 'I' statements, not only 'we'."""
        return self.i_count >= 2 or (self.i_count >= 1 and self.we_count <= 2)


# Longer than this, a "sentence" is an answer typed or dictated without full stops; the longest punctuated
# sentences in the grading set are under 75 words, and 1 in 300 passes 50.
RUN_ON_WORDS = 50
CLAUSE_WORDS = 25


@cache
def _clause_splitter():
    """Cuts a run-on into clause-sized pieces, preferring to cut before a connective. Without it an unpunctuated
    answer is one 'sentence': one embedding for the whole story, so every per-sentence match collapses."""
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    connectives = [" so ", " and then ", " then ", " but ", " because ", " which ", " when ", " after ", " and ", " "]
    return RecursiveCharacterTextSplitter(separators=[*connectives, ""], keep_separator="start", chunk_size=CLAUSE_WORDS,
                                          chunk_overlap=0, length_function=lambda piece: len(piece.split()))


def shingles(text: str, n: int = 6) -> set[tuple[str, ...]]:
    """Every run of n words, lowercased and without punctuation: shared runs mean copied wording."""
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}


def clauses(sentence: str) -> list[str]:
    """A run-on 'sentence' (more than RUN_ON_WORDS words, as unpunctuated speech gives) cut into clauses; any
    other sentence as it is, stripped."""
    piece = sentence.strip()
    return _clause_splitter().split_text(piece) if len(piece.split()) > RUN_ON_WORDS else [piece]


def split_sentences(text: str) -> list[str]:
    sentences = []
    for raw in SENTENCE_SPLIT.split(text):
        piece = (raw or "").strip()
        if len(piece) <= 1:
            continue
        sentences.extend(clauses(piece))
    return sentences


def vocab_hits(lowered: str) -> dict[str, int]:
    return {family: sum(1 for term in terms if term in lowered) for family, terms in VOCAB.items()}


def text_signals(text: str) -> TextSignals:
    lowered = text.lower()
    words = WORD.findall(text)
    sentences = split_sentences(text)
    actions = len(ACTION.findall(text))
    signals = TextSignals(
        words=len(words),
        sentences=sentences,
        numbers=len(NUMBER.findall(text)),
        i_count=len(I_WORDS.findall(text)) + implied_i(sentences),
        we_count=len(WE_WORDS.findall(text)),
        tradeoffs=len(TRADEOFF.findall(text)),
        results=len(RESULT.findall(text)),
        hedges=len(HEDGES.findall(text)),
        buzz=len(BUZZ.findall(text)),
        past_tense=len(PAST_TENSE.findall(text)),
        overclaim=len(OVERCLAIM.findall(text)),
        blame=len(BLAME.findall(text)),
        nuance=len(NUANCE.findall(text)),
        verify=len(VERIFY.findall(text)),
        vocab_hits=vocab_hits(lowered),
        learning=bool(LEARNING.search(text)),
        unique_word_ratio=len({w.lower() for w in words}) / max(1, len(words)),
    )
    signals.star = {
        "situation": bool(SITUATION.search(text)) or len(sentences) >= 3,
        "task": bool(TASK.search(text)),
        "action": actions > 0,
        "result": (bool(RESULT.search(text)) and signals.numbers > 0) or bool(re.search(r"\b(result|outcome)\b", lowered)),
    }
    return signals


def is_filler_reply(text: str) -> bool:
    stripped = re.sub(r"[^\w\s/?.-]", "", text.strip().lower()).strip(" .!")
    return stripped in FILLER_REPLIES or (len(stripped.split()) <= 2 and stripped.split()[0] in FILLER_REPLIES if stripped else True)


def says_dont_know(text: str, knowledge_check: bool = False) -> bool:
    """The answer is an admission of not knowing. On a knowledge check "nothing" or "none" can be the right answer
    ("what does free() return?"), and a hedge followed by a guess ("not sure, but I think it is O(log n) since ...")
    is an answer the correctness model should judge, so only a bare admission counts there."""
    match = IDK.search(text.strip())
    words = len(WORD.findall(text))
    if not match or words >= 30:
        return False
    if knowledge_check:
        return match.group(1).lower() not in ("nothing", "none") and words <= 6
    return True


VOWELS = set("aeiouy")


def gibberish_ratio(text: str) -> float:
    """Share of word tokens that do not look like words (no vowels, long consonant runs, keyboard mashes)."""
    tokens = [t.lower() for t in re.findall(r"[A-Za-z]{2,}", text)]
    if not tokens:
        # "O(n)", "n-1", "2^k": a quiz answer can be all symbols and numbers; only text with neither is unreadable
        return 1.0 if text.strip() and not re.search(r"\d|\b[A-Za-z]\b", text) else 0.0
    bad = 0
    for token in tokens:
        no_vowel = not (set(token) & VOWELS)
        consonant_run = re.search(r"[^aeiouy\W\d]{5,}", token) is not None
        mash = any(seq in token for seq in ("asdf", "qwer", "zxcv", "hjkl", "jkl;", "sdfg", "fghj", "uiop"))
        repeated = re.search(r"(.)\1{3,}", token) is not None
        if (no_vowel and len(token) > 3) or consonant_run or mash or repeated:
            bad += 1
    return bad / len(tokens)
