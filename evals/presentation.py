"""The eval table for people and the plots saved next to the JSON report."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np


def save_figure(fig, path: Path) -> Path:
    """Every report plot is written the same way: tight layout, 110 dpi, figure closed."""
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _f(x) -> str:
    return "n/a" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.3f}"


def _ci(metrics: dict, key: str = "qwk_ci95") -> str:
    low, high = metrics.get(key) or (None, None)
    return "" if low is None or np.isnan(low) else f"{low:.2f} to {high:.2f}"


def _agreement_row(label: str, m: dict, interval: bool = True) -> str:
    row = f"  {label:13s} {m['n']:5d}  {_f(m['qwk'])}  {_f(m['exact'])}  {_f(m['within_one'])}  {_f(m['spearman'])}  {_f(m['mae'])}"
    return row + (f"  {_ci(m)}" if interval else "")


def table(report: dict) -> str:
    lines = [f"evaluation ({report.get('split')} split for grading; scorer {report.get('scorer')}; {report.get('seconds')}s)"]
    g = report.get("grading")
    if g:
        o = g["overall"]
        lines += ["", "grading            n    QWK    exact  within1 spearman  MAE    QWK 95% interval (answers resampled)",
                  _agreement_row("overall", o)]
        lines += [_agreement_row(dim[:12], m) for dim, m in g["dimensions"].items()]
        bare = g.get("question_only")
        if bare:
            lines.append(_agreement_row("question only", bare["overall"], interval=False)
                         + f"   (overall, graded from the question's words alone; lowest dimension {_f(bare['dimensions_min_qwk'])})")
        for key, label, gloss in (("counter_voice", "counter-voice", "answers whose voice runs against their level"),
                                  ("other_voices", "other voices", "the rest: the earlier rounds")):
            sub = g.get(key) or {}
            if sub.get("n") and sub["n"] < o["n"]:
                lines.append(_agreement_row(label, sub) + f"   (overall, {gloss})")
        hh = g.get("human_human", {})
        if hh.get("n"):
            lines.append(f"  human-human overall QWK {_f(hh['overall_qwk'])} (n={hh['n']}), per-dimension QWK {_f(hh['dimension_qwk'])}")
        hs = g.get("human_human_split", {})
        if hs.get("n"):
            lines.append(f"  human-human on the {g['split']} split: overall QWK {_f(hs['overall_qwk'])} (n={hs['n']}), "
                         f"per-dimension QWK {_f(hs['dimension_qwk'])}")
    sa = report.get("short_answer")
    if sa:
        lines += ["", (f"short answers      n={sa['n']} ({sa['questions']} questions, graded against the reference only)  "
                       f"Pearson {_f(sa['pearson'])} ({_ci(sa, 'pearson_ci95')})  Spearman {_f(sa['spearman'])}  human-human Pearson {_f(sa['human_human_pearson'])}")]
    p = report.get("probe")
    if p:
        lines += ["", f"probe              n={p['n']}  precision {_f(p['precision'])}  recall {_f(p['recall'])}  F1 {_f(p['f1'])}  gap accuracy {_f(p['gap_accuracy'])}"]
    r = report.get("retrieval")
    if r:
        lines += ["", f"retrieval          n={r['n']}  recall@5 {_f(r['recall@5'])}  MRR {_f(r['mrr'])}"]
    a = report.get("adversarial")
    if a:
        lines += ["", f"adversarial        attacks {a['attacks']}  max score increase {a['max_increase']:+.3f}  flagged {a['attacks_flagged']}/{a['attacks']}",
                  f"                   junk at level 1: {a['junk'] - a['junk_above_level_1']}/{a['junk']}  verbose below concise: {a['verbose_below_concise']}/{a['verbose_pairs']}"]
    rb = report.get("robustness")
    if rb:
        lines += ["", (f"robustness         mean |shift| {_f(rb['mean_abs_shift'])}  worst rewrite {_f(rb['worst_mean_abs_shift'])}  "
                       f"(overall level moved by a meaning-keeping rewrite; {rb['n_interview']} interview, {rb['n_short_answer']} short answers)")]
        lines.append("  rewrite          interview: |shift|  mean    worst  >0.5  QWK    short answers: |shift|  mean    worst  >0.5")
        for name, kinds in rb["rewrites"].items():
            cells = []
            for kind in ("interview", "short_answer"):
                k = kinds.get(kind)
                cells.append("" if not k else f"{_f(k['mean_abs_shift']):>7s} {k['mean_shift']:+.3f} {k['worst_drop']:+.2f} {k['moved_half_level']:4d}"
                             + (f"  {_f(k.get('qwk'))}" if kind == "interview" else ""))
            lines.append(f"  {name:16s}          {cells[0]:38s}                {cells[1]}")
    return "\n".join(lines)


def save_plots(report: dict, out_dir: Path) -> list[Path]:
    paths = []
    sa = report.get("short_answer")
    if sa and sa.get("items"):
        paths.append(_short_answer_scatter(sa, out_dir))
    if report.get("robustness"):
        paths.append(_robustness_bars(report["robustness"], out_dir))
    g = report.get("grading")
    if not g:
        return paths
    matrix = np.array(g["overall"]["confusion"])
    fig, ax = plt.subplots(figsize=(4.5, 4))
    ax.imshow(matrix, cmap="Blues")
    for (i, j), v in np.ndenumerate(matrix):
        ax.text(j, i, str(v), ha="center", va="center", color="black")
    ax.set_xticks(range(4), [1, 2, 3, 4])
    ax.set_yticks(range(4), [1, 2, 3, 4])
    ax.set_xlabel("grader level")
    ax.set_ylabel("rater level")
    ax.set_title(f"overall, {g['split']} split (QWK {_f(g['overall']['qwk'])})")
    paths.append(save_figure(fig, out_dir / "confusion_overall.png"))
    dims = list(g["dimensions"].items())
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(dims) + 1.2))
    values = [0.0 if np.isnan(m["qwk"]) else m["qwk"] for _, m in dims]
    spans = [m.get("qwk_ci95") or [v, v] for v, (_, m) in zip(values, dims)]
    spans = [[v, v] if np.isnan(s).any() else s for v, s in zip(values, spans)]
    errors = np.array([[max(0.0, v - s[0]) for v, s in zip(values, spans)], [max(0.0, s[1] - v) for v, s in zip(values, spans)]])
    ax.barh([d for d, _ in dims], values, color="#4C72B0", xerr=errors, ecolor="#333333", capsize=3)
    hh = g.get("human_human", {}).get("dimension_qwk")
    if hh:
        ax.axvline(hh, color="#C44E52", linestyle="--", label="human-human")
        ax.legend(loc="lower right")
    ax.axvline(0.6, color="gray", linestyle=":")
    ax.set_xlim(0, 1)
    ax.set_xlabel("quadratic weighted kappa")
    ax.set_title("agreement per dimension (95% intervals)")
    paths.append(save_figure(fig, out_dir / "agreement_per_dimension.png"))
    return paths


def _short_answer_scatter(sa: dict, out_dir: Path) -> Path:
    """Grader level against the raters' mean: where the knowledge check agrees, and where it is fooled."""
    xs = [row["mean_score"] for row in sa["items"]]
    ys = [row["overall"] for row in sa["items"]]
    fig, ax = plt.subplots(figsize=(5, 4))
    ax.scatter(xs, ys, alpha=0.6, color="#4C72B0")
    ax.set_xlabel("raters' mean score (0-5)")
    ax.set_ylabel("grader overall level (1-4)")
    ax.set_title(f"short answers, {sa['split']} split (Pearson {_f(sa['pearson'])}; raters {_f(sa['human_human_pearson'])})")
    return save_figure(fig, out_dir / "short_answer_scatter.png")


def _robustness_bars(rb: dict, out_dir: Path) -> Path:
    """How far each meaning-keeping rewrite moves the overall level, per kind of answer."""
    names = list(rb["rewrites"])
    kinds = [k for k in ("interview", "short_answer") if any(k in rb["rewrites"][n] for n in names)]
    fig, ax = plt.subplots(figsize=(6.5, 0.5 * len(names) + 1.4))
    height = 0.8 / max(1, len(kinds))
    for j, kind in enumerate(kinds):
        values = [rb["rewrites"][n].get(kind, {}).get("mean_abs_shift", 0.0) for n in names]
        ax.barh(np.arange(len(names)) + j * height, values, height=height, label=kind.replace("_", " "))
    ax.set_yticks(np.arange(len(names)) + height * (len(kinds) - 1) / 2, names)
    ax.invert_yaxis()
    ax.set_xlabel("mean |change in overall level| (levels 1-4)")
    ax.set_title(f"robustness to rewrites that keep the meaning ({rb['split']} split)")
    ax.legend(loc="best")
    return save_figure(fig, out_dir / "robustness.png")
