"""The CLI end to end, as a user runs it: real subprocesses over a real index."""
import json
import os
import signal
import subprocess
import sys
import time

ROLE = "computer-vision-engineer"


def run(data_dir, *args, stdin="", timeout=300):
    cmd = [sys.executable, "-m", "mockinterview.cli", "--data-dir", str(data_dir), *args]
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)


def test_scripted_chat_session_end_to_end(data_dir):
    answers = "\n".join([
        # seed 5 opens with the mentoring question; a 'we' story without the speaker's part gets probed
        "We had a junior engineer on the team and we helped him a lot with pairing and reviews and he got better.",
        "I personally ran weekly pairing sessions and wrote a debugging checklist; his review turnaround fell from 3 days to 1.",
        "It went well in the end.",
        "/skip",
        "I would use YOLOv8 with TensorRT FP16 and measure mAP and p95 latency on a held-out set, trading some accuracy for speed.",
    ]) + "\n"
    result = run(data_dir, "chat", "--role", ROLE, "--questions", "3", "--seed", "5", "--json", stdin=answers)
    assert result.returncode == 0, result.stderr
    session = json.loads(result.stdout)
    assert session["role"] == ROLE and len(session["turns"]) == 3
    first = session["turns"][0]
    assert "less experienced engineer" in first["question"]
    assert first["probes"] and first["probes"][0]["gap"] == "ownership"
    assert first["probes"][0]["answer"].startswith("I personally ran weekly")
    assert first["dimensions"] and all(1 <= d["level"] <= 4 for d in first["dimensions"])
    assert session["turns"][1]["status"] == "skipped"
    assert 1.0 <= session["overall_level"] <= 4.0
    assert session["recommendation"] in ("strong hire", "hire", "lean no", "no hire")
    assert "Follow-up:" in result.stderr  # prompts go to stderr when --json owns stdout


def test_grade_json_contract_in_order_with_bad_lines(data_dir, tmp_path):
    items = tmp_path / "answers.jsonl"
    items.write_text("\n".join([
        json.dumps({"id": "a", "role": ROLE, "question": "How would you choose between a one-stage and a two-stage detector?",
                    "answer": "I don't know"}),
        "{not json",
        json.dumps({"id": "c", "question": "What does a hash table do?", "answer": "It maps keys to buckets with a hash function so lookups take constant time on average; collisions are handled by chaining or probing.",
                    "reference": "A hash table stores key-value pairs in an array of buckets; a hash function maps each key to a bucket, giving average O(1) lookup, with collisions resolved by chaining or open addressing."}),
    ]))
    result = run(data_dir, "grade", "--jsonl", str(items), "--json")
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("id") for r in rows] == ["a", None, "c"]
    assert rows[0]["overall_level"] == 1.0 and rows[0]["dimensions"][0]["level"] == 1
    assert "error" in rows[1] and "answers.jsonl:2" in rows[1]["error"]
    good = rows[2]
    assert {"overall_level", "recommendation", "dimensions", "feedback", "engine"} <= set(good)
    assert isinstance(good["overall_level"], float) and good["overall_level"] > 1.5
    assert all({"dimension", "level", "evidence", "reason"} <= set(d) for d in good["dimensions"])
    assert "answers.jsonl:2" in result.stderr


def test_roles_and_search_json(data_dir):
    roles = json.loads(run(data_dir, "roles", "--json").stdout)
    by_id = {r["id"]: r for r in roles}
    assert set(by_id) == {"ai-engineer", "computer-vision-engineer", "computer-vision-scientist"}
    for role in by_id.values():
        assert sum(role["questions"].values()) >= 25 and 6 <= len(role["dimensions"]) <= 8
    hits = json.loads(run(data_dir, "search", "reranking with a cross-encoder", "--role", "ai-engineer", "--k", "3", "--json").stdout)
    assert len(hits) == 3 and all({"text", "source", "section", "role", "score"} <= set(h) for h in hits)


def test_bad_input_gives_one_line_errors(data_dir, tmp_path):
    result = run(data_dir, "chat", "--role", "astronaut")
    assert result.returncode == 2 and result.stderr.strip().count("\n") == 0 and "unknown role" in result.stderr
    huge = "x " * 20_000
    result = run(data_dir, "grade", "--role", ROLE, "--question", "q", "--answer", huge)
    assert result.returncode == 2 and "limit" in result.stderr


def test_first_command_on_empty_data_dir_indexes_shipped_content(tmp_path):
    result = run(tmp_path / "empty", "roles", "--json")
    assert result.returncode == 0, result.stderr
    assert "first run: indexed" in result.stderr and len(json.loads(result.stdout)) == 3


def test_resume_after_the_process_is_killed(data_dir):
    cmd = [sys.executable, "-m", "mockinterview.cli", "--data-dir", str(data_dir), "chat", "--role", ROLE,
           "--questions", "3", "--seed", "2"]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first_answer = "I led the migration myself: I profiled the model, cut latency from 80 ms to 30 ms with TensorRT INT8, and accepted a 0.4 point mAP drop after checking it on a held-out set."
    proc.stdin.write(first_answer + "\n")
    proc.stdin.flush()
    banner = proc.stdout.readline()
    session_id = banner.split("session ")[1].split(" ")[0]
    deadline = time.time() + 120
    db = data_dir / "sessions.sqlite3"
    import sqlite3

    while time.time() < deadline:  # wait until the answer is durable, then kill without warning
        rows = sqlite3.connect(db).execute("SELECT record FROM sessions WHERE id=?", (session_id,)).fetchall()
        if rows and first_answer in rows[0][0]:
            break
        time.sleep(0.5)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    result = run(data_dir, "chat", "--resume", session_id, "--json", stdin="/end\n")
    assert result.returncode == 0, result.stderr
    session = json.loads(result.stdout)
    assert session["session_id"] == session_id
    assert session["turns"][0]["answer"] == first_answer
    assert session["status"] == "finished"
