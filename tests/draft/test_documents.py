import io

import pytest

from summitry.draft import documents
from summitry.draft.documents import document_from_text, read_document, read_documents
from summitry.errors import ScenarioError


def test_text_paragraph_n_is_the_nth_non_blank_line(tmp_path):
    text = "\nFirst line.\n\n   \nSecond   line.\n\tThird.\n\n"
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    non_blank = [line for line in text.splitlines() if line.strip()]
    assert doc.name == "a.txt"
    assert [p.number for p in doc.paragraphs] == [1, 2, 3]
    assert [p.text for p in doc.paragraphs] == [" ".join(x.split()) for x in non_blank]
    assert doc.paragraph(2).text == "Second line."
    assert doc.paragraph(0) is None and doc.paragraph(4) is None
    assert doc == document_from_text("a.txt", text)


def test_markdown_marks_are_removed_and_the_numbering_kept(tmp_path):
    text = "# Title\n\n- a **bold** point\n\n> quoted [link](http://x.y) text\n1. `code` item\n"
    path = tmp_path / "notes.md"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs] == [
        "Title",
        "a bold point",
        "quoted link text",
        "code item",
    ]
    assert len(doc.paragraphs) == len([x for x in text.splitlines() if x.strip()])


def test_html_blocks_in_order_and_scripts_skipped(tmp_path):
    html = (
        "<html><head><title>T</title><script>var x = 1;</script></head><body>"
        "<h1>Heading</h1><p>First <b>para</b>.</p><script>alert('no')</script>"
        "<ul><li>One</li><li>Two</li></ul><style>p {}</style><p>Last</p></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(html, encoding="utf-8")
    doc = read_document(path)
    assert [p.text for p in doc.paragraphs] == ["Heading", "First para.", "One", "Two", "Last"]


def test_blank_pdf_reads_as_no_paragraphs(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    path = tmp_path / "blank.pdf"
    path.write_bytes(buffer.getvalue())
    doc = read_document(path)
    assert doc.name == "blank.pdf" and doc.paragraphs == ()


def test_a_non_pdf_named_pdf_is_refused_with_its_name(tmp_path):
    path = tmp_path / "fake.pdf"
    path.write_text("this is not a PDF", encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        read_document(path)
    assert "fake.pdf" in str(err.value)


def test_a_too_large_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(documents, "MAX_BYTES", 10)
    path = tmp_path / "big.txt"
    path.write_text("x" * 11, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        read_document(path)
    assert "big.txt" in str(err.value) and "limit" in str(err.value)


def test_too_many_paragraphs_are_refused(monkeypatch):
    monkeypatch.setattr(documents, "MAX_PARAGRAPHS", 2)
    with pytest.raises(ScenarioError, match="paragraphs"):
        document_from_text("many.txt", "a\nb\nc\n")


def test_non_utf8_is_refused_with_the_file_named(tmp_path):
    path = tmp_path / "latin.txt"
    path.write_bytes("café crème".encode("latin-1"))
    with pytest.raises(ScenarioError) as err:
        read_document(path)
    assert "latin.txt" in str(err.value) and "UTF-8" in str(err.value)


def test_two_documents_with_the_same_name_are_refused(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    a = tmp_path / "one" / "same.txt"
    b = tmp_path / "two" / "same.txt"
    a.write_text("A.", encoding="utf-8")
    b.write_text("B.", encoding="utf-8")
    with pytest.raises(ScenarioError, match="same.txt"):
        read_documents([a, b])
    assert [d.name for d in read_documents([a])] == ["same.txt"]


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="missing.txt"):
        read_document(tmp_path / "missing.txt")


def test_any_failure_inside_the_pdf_parser_is_one_clear_error(tmp_path, monkeypatch):
    import pypdf

    from summitry.errors import ScenarioError

    class Broken:
        def __init__(self, *args, **kwargs):
            raise AttributeError("'NoneType' object has no attribute 'get_object'")

    monkeypatch.setattr(pypdf, "PdfReader", Broken)
    path = tmp_path / "odd.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    with pytest.raises(ScenarioError, match=r"odd\.pdf.*cannot read the PDF"):
        read_document(path)


def test_the_number_of_documents_is_bounded(tmp_path, monkeypatch):
    from summitry.draft import documents
    from summitry.errors import ScenarioError

    monkeypatch.setattr(documents, "MAX_DOCUMENTS", 2)
    paths = []
    for k in range(3):
        paths.append(tmp_path / f"d{k}.txt")
        paths[-1].write_text("France demands tariffs.\n")
    with pytest.raises(ScenarioError, match="3 documents exceed the limit of 2"):
        read_documents(paths)
    with pytest.raises(ScenarioError, match="no document"):
        read_documents([])
