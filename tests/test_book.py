"""The course website (tools/book.py): it builds, and its checks catch what they must.

The full build (every notebook executed at the full setting) is `make book`; here one
notebook is executed at the small budget and the rest are built without outputs.
"""

import importlib.util
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
pytest.importorskip("myst_nb", reason="the website needs requirements-book.txt (make venv installs it)")


def _book():
    spec = importlib.util.spec_from_file_location("course_book", ROOT / "tools" / "book.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["course_book"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    book = _book()
    book.BUILD = tmp_path_factory.mktemp("book")
    first = book.notebooks()[0]
    executed = book.BUILD / "executed-small"
    book.execute(first, executed / first.name, small=True, timeout=300)
    html_dir, problems = book.build(executed, quiet=True)
    return book, html_dir, problems


def test_site_builds_with_one_page_per_notebook_and_no_problem(built):
    book, html_dir, problems = built
    assert problems == []
    for path in book.notebooks():
        assert (html_dir / "notebooks" / f"{path.stem}.html").exists()
    for page in ("index", "glossary", "credits"):
        assert (html_dir / f"{page}.html").exists()


def test_executed_page_has_figures_and_no_solution(built):
    book, html_dir, _ = built
    first = book.notebooks()[0]
    text = (html_dir / "notebooks" / f"{first.stem}.html").read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    source = nbformat.read(first, as_version=4)
    if any("### BEGIN SOLUTION" in c.source for c in source.cells):
        assert "YOUR CODE HERE" in text


def test_no_page_shows_a_solution_or_hidden_test(built):
    _, html_dir, _ = built
    for page in (html_dir / "notebooks").glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text, page.name
        assert "BEGIN HIDDEN TESTS" not in text, page.name


def test_checks_catch_a_broken_link_a_missing_image_a_cell_error_and_a_warning(built, tmp_path):
    book, html_dir, _ = built
    broken = tmp_path / "html"
    shutil.copytree(html_dir, broken)
    page = broken / "glossary.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", '<a href="nowhere.html">x</a><img src="_images/missing.png"></body>'),
        encoding="utf-8")
    first = book.notebooks()[0]
    staged = book.BUILD / "src" / "notebooks" / first.name
    original = staged.read_bytes()
    nb = nbformat.read(staged, as_version=4)
    code = next(c for c in nb.cells if c.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("error", ename="ValueError", evalue="boom",
                                           traceback=[]),
                    nbformat.v4.new_output("stream", name="stderr", text=(
                        "/tmp/x.py:3: UserWarning: The figure layout has changed to tight\n"
                        "  plt.tight_layout()\n"))]
    nbformat.write(nb, staged)
    try:
        problems = book.check_site(broken, book.notebooks())
    finally:
        staged.write_bytes(original)
    text = "\n".join(problems)
    assert "broken link nowhere.html" in text
    assert "missing image _images/missing.png" in text
    assert "ValueError: boom" in text
    assert "a warning on the page: /tmp/x.py:3: UserWarning: The figure layout" in text
