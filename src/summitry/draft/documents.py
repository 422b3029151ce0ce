"""Documents an analyst reads, as numbered paragraphs.

Paragraph numbers follow the rule of the scenario format's ``evidence.paragraph``: in a
text file, paragraph N is the N-th non-blank line. The other formats are first turned
into lines of text and then numbered the same way:

- Markdown (``.md``, ``.markdown``): the file's own lines, with heading marks, list
  bullets and emphasis marks taken off the text (the numbering is that of the file);
- HTML (``.html``, ``.htm``): each block element (paragraph, heading, list item, table
  cell, quotation, preformatted block) in document order is one line; scripts, styles
  and the page's head are left out;
- PDF (``.pdf``): the text of each page (pypdf), page after page, numbered by its
  non-blank lines; a PDF's lines are the lines of the printed page, so a paragraph of
  the page may span several numbers.

Reading is bounded: a file larger than :data:`MAX_BYTES` or with more than
:data:`MAX_PARAGRAPHS` paragraphs is refused with a :class:`~summitry.errors.ScenarioError`
naming the file.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from summitry.errors import ScenarioError

__all__ = [
    "FORMATS",
    "MAX_BYTES",
    "MAX_DOCUMENTS",
    "MAX_PARAGRAPHS",
    "Document",
    "Paragraph",
    "document_from_text",
    "read_document",
    "read_documents",
]

MAX_BYTES = 20_000_000
"""Largest document read (bytes)."""
MAX_PARAGRAPHS = 50_000
"""Most paragraphs in one document."""
MAX_DOCUMENTS = 200
"""Most documents read together."""
FORMATS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
           ".html": "html", ".htm": "html", ".pdf": "pdf"}  # fmt: skip
"""File suffixes read, and the format each means (any other suffix is read as text)."""


@dataclass(frozen=True)
class Paragraph:
    """One numbered paragraph of a document (``number`` counts from 1)."""

    number: int
    text: str


@dataclass(frozen=True)
class Document:
    """A document's name (what evidence entries cite as ``source``) and its paragraphs."""

    name: str
    paragraphs: tuple[Paragraph, ...]

    def paragraph(self, number: int) -> Paragraph | None:
        """Paragraph ``number``, or None when there is none."""
        if 1 <= number <= len(self.paragraphs):
            return self.paragraphs[number - 1]
        return None

    @property
    def text(self) -> str:
        """The paragraphs joined by newlines."""
        return "\n".join(p.text for p in self.paragraphs)


def _number(name: str, lines: Iterable[str]) -> Document:
    kept = [" ".join(line.split()) for line in lines]
    kept = [line for line in kept if line]
    if len(kept) > MAX_PARAGRAPHS:
        raise ScenarioError(
            f"{len(kept):,} paragraphs exceed the limit of {MAX_PARAGRAPHS:,}", file=name
        )
    return Document(name, tuple(Paragraph(k, text) for k, text in enumerate(kept, start=1)))


def document_from_text(name: str, text: str) -> Document:
    """A plain text as a document: paragraph N is its N-th non-blank line."""
    return _number(name, text.splitlines())


_MD_MARKS = re.compile(r"^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def _markdown_lines(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        line = _MD_MARKS.sub("", line)
        line = _MD_LINK.sub(r"\1", line)
        line = _MD_EMPHASIS.sub(r"\2", line)
        out.append(line)
    return out


class _Blocks(HTMLParser):
    """Collects the text of block elements, one string per block, in document order."""

    BLOCK = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "blockquote",
             "pre", "dt", "dd", "figcaption", "caption", "div", "section", "article",
             "br", "tr", "title"}  # fmt: skip
    SKIP = {"script", "style", "head", "noscript", "template", "svg"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._current: list[str] = []
        self._skip = 0

    def _flush(self) -> None:
        text = "".join(self._current)
        if text.strip():
            self.blocks.append(text)
        self._current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCK:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._current.append(data)

    def close(self) -> None:
        super().close()
        self._flush()


def _html_lines(text: str) -> list[str]:
    parser = _Blocks()
    parser.feed(text)
    parser.close()
    return parser.blocks


_QUIET = logging.NullHandler()
"""The handler that keeps pypdf's repair notes off stderr (added once; a set of handlers)."""


def _pdf_lines(path: Path) -> list[str]:
    from pypdf import PdfReader  # imported only for PDF files

    # pypdf logs what it repairs; with no handler of the program's own, Python would print
    # it on stderr above summitry's one-line error. A program that configures logging
    # still receives it.
    logging.getLogger("pypdf").addHandler(_QUIET)

    try:
        reader = PdfReader(str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except RecursionError:
        raise ScenarioError("cannot read the PDF: nested too deeply", file=str(path)) from None
    except Exception as exc:  # noqa: BLE001 - a malformed PDF can fail anywhere in the parser
        reason = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        raise ScenarioError(f"cannot read the PDF: {reason}", file=str(path)) from None
    return [line for page in pages for line in page.splitlines()]


def read_document(path: str | Path, *, name: str | None = None) -> Document:
    """Read a text, Markdown, HTML or PDF file (by its suffix) as numbered paragraphs.

    ``name`` is what evidence entries will cite; default the file name.

    Raises
    ------
    ScenarioError
        When the file cannot be read, is too large, is not UTF-8 text (for the text
        formats) or not a readable PDF.
    """
    path = Path(path)
    label = name or path.name
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ScenarioError(f"cannot read the document: {exc.strerror}", file=str(path)) from None
    if not path.is_file():
        raise ScenarioError("not a file", file=str(path))
    if size > MAX_BYTES:
        raise ScenarioError(
            f"{size:,} bytes exceed the limit of {MAX_BYTES:,} for a document", file=str(path)
        )
    kind = FORMATS.get(path.suffix.lower(), "text")
    if kind == "pdf":
        return _number(label, _pdf_lines(path))
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"not UTF-8 text (byte {exc.start}); save it as UTF-8", file=str(path)
        ) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read the document: {exc.strerror}", file=str(path)) from None
    if kind == "markdown":
        return _number(label, _markdown_lines(text))
    if kind == "html":
        return _number(label, _html_lines(text))
    return document_from_text(label, text)


def read_documents(paths: Sequence[str | Path]) -> list[Document]:
    """Read every document; two documents may not share a name.

    Raises
    ------
    ScenarioError
        As :func:`read_document`, for two files with the same name, for none, or for
        more than :data:`MAX_DOCUMENTS`.
    """
    if not paths:
        raise ScenarioError("no document given")
    if len(paths) > MAX_DOCUMENTS:
        raise ScenarioError(f"{len(paths)} documents exceed the limit of {MAX_DOCUMENTS}")
    docs = [read_document(p) for p in paths]
    seen: set[str] = set()
    for doc, path in zip(docs, paths, strict=True):
        if doc.name in seen:
            raise ScenarioError(
                f"two documents are named '{doc.name}'; evidence could not tell them apart",
                file=str(path),
            )
        seen.add(doc.name)
    return docs
