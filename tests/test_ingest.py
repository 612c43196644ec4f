"""Ingestion against the real embedding model and a real Chroma store in a temporary directory."""
import shutil

from mockinterview.app import Services
from mockinterview.settings import Settings
from tests.conftest import FIXTURES


def fresh(tmp_path):
    return Services(Settings(data_dir=tmp_path / "data"))


def test_reingest_is_idempotent_changes_replace_and_prune_removes(tmp_path):
    guides = tmp_path / "guides"
    shutil.copytree(FIXTURES, guides)
    (guides / "bad_scorecard.yaml").unlink()
    services = fresh(tmp_path)
    first = services.ingestor.ingest([guides], progress=False)
    assert len(first.indexed) == 2 and not first.errors
    assert services.retriever.search("silently produced wrong numbers", k=1)[0].source.endswith("pasted_guide.txt")

    again = services.ingestor.ingest([guides], progress=False)
    assert again.indexed == [] and len(again.unchanged) == 2 and again.chunks == 0

    path = guides / "pasted_guide.txt"
    path.write_text(path.read_text().replace("wrong numbers", "duplicated invoices"))
    changed = services.ingestor.ingest([guides], progress=False)
    assert len(changed.indexed) == 1
    texts = [q.text for q in services.catalog.questions("data-engineer")]
    assert any("duplicated invoices" in t for t in texts) and not any("wrong numbers" in t for t in texts)
    hits = services.retriever.search("pipeline produced duplicated invoices", role="data-engineer", k=10)
    assert not any("wrong numbers" in h.text for h in hits)

    (guides / "guide.html").unlink()
    pruned = services.ingestor.ingest([], prune=True, progress=False)
    assert pruned.pruned and "site-reliability-engineer" not in services.catalog.roles()


def test_unreadable_file_gets_one_line_error_and_the_rest_goes_on(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.4 this is not really a pdf")
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02" * 50)
    shutil.copy(FIXTURES / "bad_scorecard.yaml", folder)
    shutil.copy(FIXTURES / "pasted_guide.txt", folder)
    services = fresh(tmp_path)
    report = services.ingestor.ingest([folder, tmp_path / "missing.md"], progress=False)
    assert len(report.indexed) == 1
    assert len(report.errors) == 4
    assert all("\n" not in e for e in report.errors)
    assert any("broken.pdf" in e for e in report.errors) and any("missing.md" in e for e in report.errors)


def test_role_tag_and_table_scorecard_make_a_listed_role(tmp_path):
    services = fresh(tmp_path)
    untagged = tmp_path / "notes.md"
    untagged.write_text("Interview prep\n\n\"How would you design a feature store for fraud models?\"\n\nKey points:\n- Point-in-time correctness\n")
    services.ingestor.ingest([untagged], role="fraud-analyst", progress=False)
    assert "fraud-analyst" in services.catalog.roles()
    services.ingestor.ingest([FIXTURES / "pasted_guide.txt"], progress=False)
    card = services.catalog.scorecard("data-engineer")
    assert card is not None and [d.id for d in card.dimensions] == ["data-modeling", "reliability"]


def test_role_without_scorecard_uses_general(services, tmp_path):
    card = services.scorecard_for("no-such-role-with-guides")
    assert card.role == "general"


def test_role_scoped_search_returns_only_that_role_and_behavioral(services):
    hits = services.retriever.search("how do you evaluate a retrieval augmented generation system", role="ai-engineer", k=5)
    assert hits and {h.role for h in hits} <= {"ai-engineer", "behavioral"}
    assert all(h.source and h.section for h in hits)
