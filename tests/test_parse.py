"""Ingestion of messy pasted guides: structure recovered, boilerplate dropped, mojibake repaired."""
from pathlib import Path

from knowledge.cleaning import repair_mojibake
from knowledge.ingest import shipped_guide_paths
from knowledge.parse import parse_guide
from knowledge.readers import read_document
from tests.conftest import FIXTURES


def parsed(name: str):
    return parse_guide(read_document(FIXTURES / name), name)


def test_pasted_guide_questions_key_points_and_answers():
    guide = parsed("pasted_guide.txt")
    assert guide.role == "data-engineer"
    first = guide.questions[0]
    assert first.text == "Tell me about a time a data pipeline you owned silently produced wrong numbers."
    assert first.category == "behavioral"
    assert "Quantify the blast radius in rows or dashboards affected" in first.key_points
    assert first.sample_answers and first.sample_answers[0].startswith("Our nightly job dropped")
    assert "Theme 1: Broken Pipelines" in first.section


def test_answer_without_question_gets_a_derived_title():
    guide = parsed("pasted_guide.txt")
    derived = [q for q in guide.questions if q.title_derived]
    assert len(derived) == 1
    assert "event store" in derived[0].text
    assert derived[0].model_answer.startswith("I moved our event store")


def test_scorecard_table_boilerplate_and_mojibake():
    guide = parsed("pasted_guide.txt")
    assert [d.name for d in guide.table_dimensions] == ["Data modeling", "Reliability"]
    assert guide.table_dimensions[0].levels == {3: "Chooses sensible schemas", 4: "Anticipates evolution and backfills"}
    assert guide.name == "Data Engineer Interview Guide — Pipelines and Quality"
    assert any("Build your resume" in line for line in guide.dropped_lines)
    assert not any("resume" in s.text.lower() for s in guide.sections)
    assert guide.strong_signals == ["Talks about data contracts"]
    # nothing meaningful lost: STAR template lines stay in the section text
    assert any("Situation: What broke and who noticed?" in s.text for s in guide.sections)


def test_thai_codepage_mojibake_is_repaired_from_context():
    broken = "a โcapability multiplier,โ run 1โ3 cycles (baseline โ improvement) with โฅ95% agreement"
    fixed = repair_mojibake(broken)
    assert "โ" not in fixed
    assert "“capability multiplier,”" in fixed and "1–3" in fixed and "≥95%" in fixed and "→" in fixed


def test_html_guide_headings_lists_and_chrome():
    guide = parsed("guide.html")
    assert guide.role == "site-reliability-engineer"
    assert guide.questions[0].text == "Walk me through the last outage you led."
    assert guide.questions[0].key_points == ["States the customer impact in numbers", "Explains the rollback decision"]
    assert not any("All rights reserved" in s.text or "tracking" in s.text for s in guide.sections)


def test_shipped_guides_parse_fully():
    for path in shipped_guide_paths():
        guide = parse_guide(Path(path).read_text(), path.name)
        assert guide.questions, path
        for q in guide.questions:
            assert q.key_points and q.weak_signals and q.model_answer, (path.name, q.text)
            assert q.category in ("behavioral", "technical", "system-design")
        if guide.role != "behavioral":
            assert len(guide.questions) >= 25
            assert {q.category for q in guide.questions} == {"behavioral", "technical", "system-design"}
