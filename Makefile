# Two entry points: `make run` (install, index, open the UI) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run test lint clean index train-grader

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first and pinned: an unpinned resolve pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

index: install
	$(BIN)/mockinterview ingest --shipped

run: install
	$(BIN)/mockinterview ingest --shipped
	$(BIN)/mockinterview ui

test: install
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)
	$(BIN)/mockinterview --data-dir .mockinterview-eval eval --check

# Deliberate only: refit the grader on the train split, then record the new metrics as the baseline.
train-grader: install
	$(BIN)/mockinterview --data-dir .mockinterview-eval train-grader
	$(BIN)/mockinterview --data-dir .mockinterview-eval eval --update-baseline

lint: install
	$(BIN)/pip install -q ruff
	$(BIN)/ruff check .

clean:
	rm -rf .mockinterview .mockinterview-eval build *.egg-info
