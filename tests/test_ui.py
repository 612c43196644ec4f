"""A Gradio round trip through gradio_client against the launched app."""
from gradio_client import Client


def test_interview_and_critique_round_trip(app_url):
    client = Client(app_url, verbose=False)
    history, counter, report, chart = client.predict("ai-engineer", 2, "4", api_name="/start")
    assert "Question **1 of 2**" in counter and "session `" in counter
    history, box, counter, report, chart = client.predict("We changed the prompt and it got better.", history, api_name="/answer")
    assert "follow-up" in counter.lower() and box == ""  # the answer was taken, so the box is cleared
    history, _box, counter, report, chart = client.predict(history, api_name="/end")
    assert "Finished" in counter and "Mock interview report" in report and chart
    markdown, chart, data = client.predict(
        "general", "What is overfitting?",
        "Overfitting is when training loss keeps falling while validation loss rises; I catch it with a held-out set and fix it with regularisation, augmentation or more data.",
        "A model overfits when it fits noise in the training data and generalises poorly; detect it by a gap between training and validation error and reduce it with regularisation, more data or early stopping.",
        api_name="/critique",
    )
    assert "Critique" in markdown and data["dimensions"] and data["engine"] == "offline"
