"""Gradio app: a thin layer over agent/ and knowledge/."""
