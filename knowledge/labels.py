"""Vocabulary the parser recognises in guides: block labels, question openers, categories and topics."""
from __future__ import annotations

import re

# Order matters: the first pattern that matches a label line wins ("strong answer framework" before "strong answer").
LABELS: list[tuple[str, re.Pattern[str]]] = [
    ("questions_to_ask", re.compile(r"^questions? (to|you should) ask (the |your )?(interviewer|them|us)")),
    ("key_points", re.compile(
        r"^(key points?( to (hit|cover|mention))?|strong answer (framework|structure|checklist)|"
        r"what (a )?(strong|good|great) answers? (includes?|covers?|contains?|looks? like|should (include|cover))|"
        r"what (interviewers|we) (look|listen) for|what good looks like|look for|must[- ]haves?|"
        r"key (ideas|takeaways)|points to cover|answer checklist|evaluation criteria)$")),
    ("strong_signals", re.compile(r"^(strong (candidate )?signals?|green flags?|good signs?|signs of a strong (answer|candidate))$")),
    ("weak_signals", re.compile(
        r"^(weak (candidate )?signals?|common (mistakes|pitfalls)|pitfalls( to avoid)?|what to avoid|avoid|"
        r"mistakes to avoid|signs of a weak (answer|candidate)|anti-?patterns?)$")),
    ("red_flags", re.compile(r"^red flags?$")),
    ("model_answer", re.compile(
        r"^((model|sample|example|strong|ideal|good) (answers?|responses?)|example talking points|talking points|"
        r"how to answer|answer|sample story|example story)$")),
    ("star_template", re.compile(r"^(star (template|format|structure|method)|answer template|template)$")),
    ("sample_questions", re.compile(r"^((sample|example|typical|common|practice) )?(interview )?questions?$")),
    ("follow_ups", re.compile(r"^(likely |possible )?follow[- ]?ups?( questions)?$")),
    ("tips", re.compile(r"^(tips?|pro tips?|notes?|remember)$")),
]

META = re.compile(r"^(category|topic|dimensions?|difficulty|level)\s*:\s*(.+)$", re.IGNORECASE)

QUESTION_OPENERS = re.compile(
    r"^(tell me about|tell us about|describe|walk me through|walk us through|explain|how (would|do|did|will|can|should) you|"
    r"what (is|are|was|would|do|did|does|makes|happens)|why (would|do|did|is)|give (me |us )?an example|"
    r"design|imagine|suppose|have you ever|can you|could you|when (would|should|did) you|which|compare)\b",
    re.IGNORECASE,
)

BEHAVIORAL_OPENERS = re.compile(
    r"^(tell (me|us) about a time|describe a (time|situation|project|moment)|give (me |us )?an example of (a time|when)|"
    r"have you ever|talk about a time|share an example|tell (me|us) about (a|an|your) (failure|conflict|disagreement|mistake))",
    re.IGNORECASE,
)
SYSTEM_DESIGN_CUES = re.compile(
    r"\b(design (a|an|the)|architect|system (for|that)|how would you build|end-to-end (system|pipeline)|at scale|"
    r"scal(e|ing) (it|this|to))\b",
    re.IGNORECASE,
)

TOPIC_KEYWORDS: dict[str, tuple[str, ...]] = {
    "detection": ("detector", "detection", "yolo", "bounding box", "anchor", "nms"),
    "segmentation": ("segmentation", "mask", "u-net", "unet", "panoptic"),
    "tracking": ("tracking", "tracker", "re-identification", "reid", "multi-object"),
    "ocr": ("ocr", "character error", "text recognition", "document"),
    "3d-vision": ("depth", "stereo", "point cloud", "3d", "lidar", "pose"),
    "self-supervised-learning": ("self-supervised", "contrastive", "pretraining", "pre-training", "foundation model"),
    "data-labeling": ("label", "annotation", "annotator"),
    "augmentation": ("augmentation", "augment", "synthetic"),
    "dataset-design": ("dataset", "golden set", "test set", "split"),
    "evaluation-metrics": ("metric", "map", "iou", "precision", "recall", "f1", "calibration"),
    "error-analysis": ("error analysis", "failure case", "slice"),
    "experiment-design": ("ablation", "experiment", "a/b", "baseline", "hypothesis"),
    "model-optimization": ("quantization", "pruning", "distillation", "tensorrt", "onnx", "latency"),
    "edge-deployment": ("edge", "embedded", "on-device", "jetson", "mobile"),
    "video-pipelines": ("video", "stream", "frames", "camera"),
    "monitoring": ("monitoring", "drift", "alert", "observability"),
    "training-debugging": ("loss", "converge", "overfit", "gradient", "training instability"),
    "fairness-privacy": ("fairness", "bias", "privacy", "consent", "responsible"),
    "research-translation": ("paper", "research", "state of the art", "sota"),
    "llm-basics": ("token", "context window", "transformer", "attention", "llm"),
    "prompting": ("prompt", "few-shot", "chain of thought"),
    "embeddings": ("embedding", "vector"),
    "chunking": ("chunk",),
    "retrieval": ("retrieval", "search", "bm25", "hybrid", "index"),
    "reranking": ("rerank", "cross-encoder"),
    "rag-evaluation": ("faithfulness", "groundedness", "rag eval", "answer relevance"),
    "hallucination": ("hallucinat",),
    "fine-tuning": ("fine-tun", "lora", "rlhf", "dpo"),
    "agents-tools": ("agent", "tool call", "function call"),
    "serving-latency": ("serving", "throughput", "vllm", "batching"),
    "cost-control": ("cost", "budget", "spend"),
    "guardrails": ("guardrail", "moderation", "filter"),
    "llm-security": ("prompt injection", "jailbreak", "exfiltrat"),
    "incident-response": ("production", "incident", "outage", "broke", "failure"),
    "conflict": ("disagree", "conflict", "pushback", "push back"),
    "ambiguity": ("ambigu", "unclear", "without all the information", "requirements changed"),
    "influence": ("influence", "convince", "persuade", "not directly reporting"),
    "mentoring": ("mentor", "junior", "coach", "grow"),
    "ownership": ("ownership", "owned", "took charge", "deadline"),
    "prioritization": ("priorit", "trade off between", "competing"),
    "learning": ("learn", "new technology", "mistake"),
    "stakeholder-communication": ("stakeholder", "non-technical", "executive", "explain to"),
}


def match_label(line: str) -> str | None:
    text = re.sub(r"[*_`#]+", "", line).strip().rstrip(":").strip().lower()
    if not text or len(text) > 60:
        return None
    for kind, pattern in LABELS:
        if pattern.match(text):
            return kind
    return None


def infer_category(question: str, behavioral_context: bool = False) -> str:
    if BEHAVIORAL_OPENERS.search(question.strip()):
        return "behavioral"
    if SYSTEM_DESIGN_CUES.search(question):
        return "system-design"
    return "behavioral" if behavioral_context else "technical"


def infer_topic(text: str) -> str:
    lowered = text.lower()
    best, best_hits = "general", 0
    for topic, words in TOPIC_KEYWORDS.items():
        hits = sum(lowered.count(w) for w in words)
        if hits > best_hits:
            best, best_hits = topic, hits
    return best
