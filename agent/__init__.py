"""Interviewer, grader and LLM access. Policy modules are pure; I/O sits in interviewer/grader/llm."""
