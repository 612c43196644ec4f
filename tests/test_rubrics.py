import pytest

from mockinterview.errors import ScorecardError
from rubrics.loader import load_scorecard_file, parse_scorecard, shipped_scorecard_paths
from tests.conftest import FIXTURES


def test_shipped_scorecards_are_valid_and_complete():
    cards = {p.stem: load_scorecard_file(p) for p in shipped_scorecard_paths()}
    assert {"computer-vision-engineer", "computer-vision-scientist", "ai-engineer", "general"} <= set(cards)
    for card in cards.values():
        assert 6 <= len(card.dimensions) <= 8
        for dim in card.dimensions:
            assert dim.evidence_cues and dim.red_flags and dim.topics and dim.weight > 0


def test_missing_level_names_file_field_and_expectation():
    with pytest.raises(ScorecardError) as err:
        load_scorecard_file(FIXTURES / "bad_scorecard.yaml")
    message = str(err.value)
    assert "bad_scorecard.yaml" in message
    assert "dimensions[0](id=data-modeling).levels" in message
    assert "1, 2, 3 and 4" in message
    assert "\n" not in message


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("role: x\nname: X\ndimensions: [}", "not valid YAML"),
        ("- just a list", "expected a mapping"),
        ("role: Bad Role\nname: X\ndimensions: []", "field 'role'"),
        ("role: r\nname: X\nextra_field: 1\ndimensions: [{id: a, name: A, weight: 1, description: d, levels: {1: a, 2: b, 3: c, 4: d}}]", "extra_field"),
    ],
)
def test_malformed_scorecards_get_one_line_errors(tmp_path, text, fragment):
    with pytest.raises(ScorecardError) as err:
        parse_scorecard(text, tmp_path / "card.yaml")
    assert fragment in str(err.value)
    assert "card.yaml" in str(err.value)
