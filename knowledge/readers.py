"""File -> text. Each format keeps its headings visible as Markdown so the parser sees structure."""
from __future__ import annotations

from pathlib import Path

from mockinterview.errors import IngestError

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text", ""}
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}
SCORECARD_SUFFIXES = {".yaml", ".yml"}
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES | SCORECARD_SUFFIXES


def read_text_file(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise IngestError(f"{path}: looks binary, not a text guide")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def html_to_text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header", "aside", "form", "noscript", "title", "head"]):
        tag.decompose()
    for level in range(1, 7):
        for tag in soup.find_all(f"h{level}"):
            tag.insert_before("\n" + "#" * level + " ")
            tag.insert_after("\n")
    for tag in soup.find_all("li"):
        tag.insert_before("\n- ")
    for tag in soup.find_all(["p", "div", "br", "tr", "blockquote"]):
        tag.insert_after("\n")
    for row in soup.find_all("tr"):
        cells = [c.get_text(" ", strip=True) for c in row.find_all(["td", "th"])]
        row.replace_with("\n| " + " | ".join(cells) + " |\n")
    return soup.get_text()


def pdf_to_text(path: Path) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PdfReadError, ValueError, KeyError) as exc:
        raise IngestError(f"{path}: unreadable PDF ({exc})") from exc


def read_document(path: Path) -> str:
    """Plain text of a guide file, or IngestError with a one-line reason."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        raise IngestError(f"{path}: unsupported file type '{suffix}' (use .md, .txt, .html, .pdf or scorecard .yaml)")
    try:
        if suffix in PDF_SUFFIXES:
            return pdf_to_text(path)
        text = read_text_file(path)
    except OSError as exc:
        raise IngestError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    if suffix in HTML_SUFFIXES:
        return html_to_text(text)
    return text
