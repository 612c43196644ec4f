"""The `mockinterview` command line. Errors print as one line and exit 2."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from mockinterview.errors import MockInterviewError
from mockinterview.settings import Settings


class Context:
    def __init__(self, settings: Settings):
        self.settings = settings
        self._services = None

    @property
    def services(self):
        if self._services is None:
            from mockinterview.app import Services

            self._services = Services(self.settings)
        return self._services

    def ready(self):
        """Services with content indexed (the shipped guides on first use)."""
        report = self.services.ensure_index(progress=sys.stderr.isatty())
        if report is not None:
            click.echo(f"first run: {report.summary()}", err=True)
        return self.services


pass_ctx = click.make_pass_decorator(Context)


def emit_json(data) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@click.group()
@click.option("--data-dir", type=click.Path(path_type=Path), help="Where the index and sessions live (default ./.mockinterview).")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """Mock interviews, answer critiques and rubric calibration for ML roles."""
    try:
        settings = Settings()
    except Exception as exc:  # pydantic's message names the bad field
        raise click.ClickException(f"invalid settings: {exc}".splitlines()[0]) from exc
    ctx.obj = Context(settings.with_overrides(data_dir=data_dir))


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--shipped", is_flag=True, help="Index the guides and scorecards that ship with mockinterview.")
@click.option("--role", help="Role slug for guides whose text does not state one.")
@click.option("--prune", is_flag=True, help="Remove records of files that no longer exist.")
@click.option("--llm/--no-llm", "use_llm", default=False,
              help="Let the LLM word the question of a sample answer that has none (offline: a heading-based title).")
@pass_ctx
def ingest(ctx: Context, paths: tuple[Path, ...], shipped: bool, role: str | None, prune: bool, use_llm: bool) -> None:
    """Index guides (md, txt, html, pdf) and scorecards (yaml)."""
    from knowledge.ingest import shipped_guide_paths
    from rubrics.loader import shipped_scorecard_paths

    targets = list(paths)
    if shipped:
        targets += [*shipped_guide_paths(), *shipped_scorecard_paths()]
    if not targets and not prune:
        raise click.UsageError("give files or folders to ingest, or --shipped")
    namer = None
    if use_llm:
        from agent.question_namer import LLMQuestionNamer
        from mockinterview.engines import llm_client, wants_llm

        wants_llm(ctx.services, True)
        namer = LLMQuestionNamer(llm_client(ctx.services))
    report = ctx.services.ingestor.ingest(targets, role=role, prune=prune, progress=True, namer=namer)
    for note in report.notes:
        click.echo(f"note: {note}", err=True)
    for error in report.errors:
        click.echo(f"error: {error}", err=True)
    click.echo(report.summary())


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def roles(ctx: Context, as_json: bool) -> None:
    """List roles with question counts and scorecard dimensions."""
    services = ctx.ready()
    names = services.catalog.role_names()
    rows = []
    for role in services.catalog.roles():
        card = services.scorecard_for(role)
        rows.append({"id": role, "name": names.get(role, role), "questions": services.catalog.category_counts(role),
                     "dimensions": [d.name for d in card.dimensions],
                     "scorecard": card.role})
    if as_json:
        emit_json(rows)
        return
    for row in rows:
        counts = ", ".join(f"{k} {v}" for k, v in row["questions"].items())
        card_note = "" if row["scorecard"] == row["id"] else " (general scorecard)"
        click.echo(f"{row['id']}: {row['name']}\n  questions: {counts}\n  dimensions{card_note}: {', '.join(row['dimensions'])}")


@cli.command()
@click.argument("query")
@click.option("--role")
@click.option("--k", default=5, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def search(ctx: Context, query: str, role: str | None, k: int, as_json: bool) -> None:
    """Show what retrieval returns for a query."""
    services = ctx.ready()
    if role:
        services.require_role(role)
    hits = services.retriever.search(query, role=role, k=k)
    if as_json:
        emit_json([{"text": h.text, "source": h.source, "section": h.section, "role": h.role, "score": h.score} for h in hits])
        return
    for h in hits:
        click.echo(f"[{h.score:.3f}] {h.source} § {h.section} ({h.role})\n  {h.text[:300].replace(chr(10), ' ')}\n")


@cli.command()
@click.option("--role", help="Role slug (see `mockinterview roles`).")
@click.option("--questions", "n", type=int, help="Number of questions (default 6).")
@click.option("--seed", type=int, help="Make the question plan reproducible.")
@click.option("--resume", "resume_id", help="Continue a saved session.")
@click.option("--json", "as_json", is_flag=True, help="Print the whole session as JSON at the end.")
@click.option("--llm/--no-llm", "use_llm", default=None, help="Use the configured LLM endpoint (default: when configured).")
@pass_ctx
def chat(ctx: Context, role: str | None, n: int | None, seed: int | None, resume_id: str | None, as_json: bool, use_llm: bool | None) -> None:
    """Hold a mock interview in the terminal (stdin not a TTY: one answer per line)."""
    from mockinterview.chat_loop import run_chat

    if not role and not resume_id:
        raise click.UsageError("give --role ROLE or --resume ID")
    run_chat(ctx.ready(), role, n, seed, resume_id, as_json, use_llm)


@cli.command()
@click.option("--role")
@click.option("--question", "-q")
@click.option("--answer", "-a")
@click.option("--reference", help="A model answer to grade against (any question).")
@click.option("--jsonl", type=click.Path(path_type=Path), help="One {question, answer, role?, reference?, id?} per line.")
@click.option("--json", "as_json", is_flag=True)
@click.option("--llm/--no-llm", "use_llm", default=None, help="Use the configured LLM endpoint (default: when configured).")
@click.option("--critique/--no-critique", default=None,
              help="LLM mode: add strengths, gaps and an improved answer (default: on for one answer, off for --jsonl).")
@pass_ctx
def grade(ctx: Context, role, question, answer, reference, jsonl, as_json, use_llm, critique) -> None:
    """Grade answers without a session."""
    from mockinterview.grading_cli import run_grade

    run_grade(ctx.ready(), role, question, answer, reference, jsonl, as_json, use_llm, critique)


@cli.command()
@click.option("--limit", default=20)
@pass_ctx
def sessions(ctx: Context, limit: int) -> None:
    """List saved sessions (newest first)."""
    import datetime

    from agent.store import SessionStore

    for sid, role, status, updated in SessionStore(ctx.settings.sessions_db).list(limit):
        stamp = datetime.datetime.fromtimestamp(updated).strftime("%Y-%m-%d %H:%M")
        click.echo(f"{sid}  {role:28s} {status:9s} {stamp}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7860, show_default=True, type=int)
@click.option("--llm/--no-llm", "use_llm", default=None, help="Use the configured LLM endpoint (default: when configured).")
@pass_ctx
def ui(ctx: Context, host: str, port: int, use_llm: bool | None) -> None:
    """Open the Gradio app."""
    from ui.app import launch

    launch(ctx.ready(), host=host, port=port, use_llm=use_llm)


@cli.command(name="eval")
@click.option("--set", "which", type=click.Choice(["grading", "short-answer", "probe", "retrieval", "adversarial", "robustness", "all"]), default="all")
@click.option("--split", type=click.Choice(["train", "dev", "test", "all"]), default="test", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON instead of the table.")
@click.option("--out", type=click.Path(path_type=Path), help="Report folder (default DATA_DIR/eval).")
@click.option("--check", is_flag=True, help="Exit 1 on a regression beyond evals/baseline.json's tolerance.")
@click.option("--update-baseline", is_flag=True, help="Deliberately write this run's metrics to evals/baseline.json.")
@click.option("--assign-splits", is_flag=True, help="Rewrite the grading set's fixed splits (by question, stratified).")
@click.option("--llm", "use_llm", is_flag=True, help="Grade with the configured LLM (the baseline gate is for the offline grader).")
@pass_ctx
def eval_command(ctx: Context, which, split, as_json, out, check, update_baseline, assign_splits, use_llm) -> None:
    """Score the grader, prober and retriever on the evaluation sets."""
    from evals import datasets
    from evals.harness import baseline_from, check_against_baseline, run_eval, save_report
    from evals.presentation import save_plots, table
    from mockinterview.engines import build_grader

    services = ctx.ready()
    if assign_splits:
        from evals.splits import rewrite_with_splits

        categories = {q.text.strip().lower(): q.category for q in services.catalog.questions()}
        click.echo(f"splits: {rewrite_with_splits(datasets.DATA_DIR / 'grading.jsonl', categories)}")
        return
    if use_llm and (check or update_baseline):
        raise click.UsageError("--check and --update-baseline gate the offline grader; run them without --llm")
    report = run_eval(services, build_grader(services, use_llm), which, split, show=True)
    out_dir = out or ctx.settings.data_dir / "eval"
    path = save_report(report, out_dir)
    plots = save_plots(report, out_dir)
    if as_json:
        emit_json(dict(report))
    else:
        click.echo(table(report))
        click.echo(f"\nreport: {path}" + "".join(f"\nplot: {p}" for p in plots))
    if update_baseline:
        datasets.BASELINE.write_text(json.dumps(baseline_from(report), indent=2) + "\n")
        click.echo(f"baseline written: {datasets.BASELINE}")
    if check:
        if not datasets.BASELINE.exists():
            raise MockInterviewError("no evals/baseline.json: run `mockinterview eval --update-baseline` once, deliberately")
        problems = check_against_baseline(report, json.loads(datasets.BASELINE.read_text()))
        for line in problems:
            click.echo(f"REGRESSION {line}", err=True)
        if problems:
            sys.exit(1)
        click.echo("eval check: no regression against evals/baseline.json")


@cli.command(name="train-grader")
@click.option("--seed", default=13, show_default=True)
@pass_ctx
def train_grader_command(ctx: Context, seed: int) -> None:
    """Fit the offline grader on the train split and write agent/models/grader.json."""
    from agent.bank import QuestionBank
    from agent.grader import OfflineGrader
    from agent.trained import MODEL_PATH
    from evals.train import train_grader

    services = ctx.ready()
    grader = OfflineGrader(services.embedder.encode, bank=QuestionBank(services.catalog.questions(), services.embedder.encode))
    params = train_grader(services, grader, seed=seed)
    click.echo(f"trained on {params['trained_on']['rows']} rows (train split); wrote {MODEL_PATH}")


@cli.command()
@click.argument("ratings", type=click.Path(path_type=Path))
@click.option("--role", help="Scorecard to rate against (default: general).")
@click.option("--out", type=click.Path(path_type=Path), help="Report folder (default DATA_DIR/calibration).")
@click.option("--json", "as_json", is_flag=True)
@click.option("--llm", "use_llm", is_flag=True, help="Compare the raters with the LLM grader instead of the offline one.")
@pass_ctx
def calibrate(ctx: Context, ratings: Path, role: str | None, out: Path | None, as_json: bool, use_llm: bool) -> None:
    """Compare human raters with each other and with the grader (CSV: question,answer,rater,dimension,level)."""
    from evals.calibrate import run_calibration
    from mockinterview.engines import build_grader

    services = ctx.ready()
    if role:
        services.require_role(role)
    result, report = run_calibration(services, build_grader(services, use_llm), ratings, role, out or ctx.settings.data_dir / "calibration")
    for problem in result["problems"]:
        click.echo(f"warning: {problem}", err=True)
    if as_json:
        emit_json(result)
    else:
        click.echo(report.read_text())
        click.echo(f"report: {report}")


@cli.command()
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def doctor(ctx: Context, as_json: bool) -> None:
    """Check the LLM endpoint: reachable, model present, JSON-schema output, streaming."""
    from mockinterview.doctor import as_dicts, run_doctor

    checks = run_doctor(ctx.settings)
    if as_json:
        emit_json(as_dicts(checks))
    else:
        for c in checks:
            click.echo(f"{'ok  ' if c.ok else ('FAIL' if c.essential else 'warn')} {c.name}: {c.detail}")
    if not all(c.ok for c in checks if c.essential):
        sys.exit(1)


@cli.command()
@click.option("--llm", "use_llm", is_flag=True, help="Also send both prompts to the endpoint and compare the grades.")
@click.option("--split", type=click.Choice(["train", "dev", "test", "all"]), default="test", show_default=True)
@click.option("--limit", default=20, show_default=True, help="Grading items to use.")
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
def bench(ctx: Context, use_llm: bool, split: str, limit: int, as_json: bool) -> None:
    """Prompt tokens per graded answer: our packed prompt against a naive one (whole scorecard + top 20 chunks)."""
    from evals.bench import bench_table, run_bench
    from mockinterview.engines import build_grader, llm_client, offline_grader

    services = ctx.ready()
    offline = offline_grader(services)
    graders = None
    if use_llm:
        from agent.llm_grader import LLMGrader

        build_grader(services, True)  # the same check as everywhere: --llm needs an endpoint
        client, budget = llm_client(services), services.settings.llm_max_context_tokens
        out_tokens = services.settings.llm_max_output_tokens
        graders = (LLMGrader(offline, client, budget, max_output_tokens=out_tokens),
                   LLMGrader(offline, client, budget, naive=True, max_output_tokens=out_tokens))
    report = run_bench(services, offline, split, limit, graders, show=sys.stderr.isatty())
    out = ctx.settings.data_dir / "bench"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps(report, indent=2, default=float))
    if as_json:
        emit_json(report)
    else:
        click.echo(bench_table(report))
        click.echo(f"report: {out / 'bench.json'}")


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except MockInterviewError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("\ninterrupted; the session is saved", err=True)
        sys.exit(130)


if __name__ == "__main__":
    main()
