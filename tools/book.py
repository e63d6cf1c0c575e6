"""Build the course's website: every notebook as a page, in the syllabus's order.

    make book                          # execute every notebook at the full setting, then build
    python tools/book.py --small       # the same at the small budget (what the test does)
    python tools/book.py --no-execute  # pages without outputs (fast: structure and links only)

The site is static HTML in ``build/book/html`` (open ``index.html``, or copy the folder to any
static host: GitHub Pages, Netlify, a university web space). It is built with Sphinx and
MyST-NB (the engine of Jupyter Book 1): Jupyter Book 2's builder downloads its theme from
the internet at build time, which these machines cannot do.

What a page shows: the notebook executed top to bottom in a fresh kernel (figures, printed
results, widget snapshots), with every exercise turned back into the student's version
(solution code replaced by ``# YOUR CODE HERE``, hidden tests removed, outputs of exercise
cells dropped), so the website gives no answers away. The landing page is the README's front
matter; the glossary and the credits close the book.

After building, ``check_site`` verifies: one page per notebook, no cell error in any page,
every internal link resolves, every image exists. A failure is printed and the exit code is 1.
"""

from __future__ import annotations

import argparse
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import nbformat

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "book"
PARTS = [
    ("Part I · Foundations in NumPy", range(0, 7)),
    ("Part II · Optimisation and regularisation", range(7, 11)),
    ("Part III · PyTorch and convolutional networks", range(11, 15)),
    ("Part IV · Sequences and language", range(15, 19)),
    ("The Playground", range(19, 20)),
]
SOLUTION = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION.*?^[ \t]*### END SOLUTION[^\n]*\n?",
                      re.S | re.M)
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?",
                    re.S | re.M)

CONF = '''\
project = "Neural networks, from the derivation up"
author = "The course's authors"
extensions = ["myst_nb"]
html_theme = "sphinx_book_theme"
html_title = project
html_theme_options = {"show_navbar_depth": 1, "home_page_in_toc": True}
nb_execution_mode = "off"
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
exclude_patterns = ["_build"]
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]
'''


def notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def student_view(nb):
    """Turn exercise cells back into what a student receives (no solution, no hidden test)."""
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type != "code" or not (meta.get("solution") or meta.get("grade")):
            continue
        source = SOLUTION.sub(lambda m: f"{m['indent']}# YOUR CODE HERE\n"
                              f"{m['indent']}raise NotImplementedError()\n", cell.source)
        cell.source = HIDDEN.sub("", source).rstrip("\n")
        cell.outputs = []
        cell.execution_count = None
    return nb


def execute(path: Path, out: Path, small: bool, timeout: int | None) -> float:
    """Run a notebook top to bottom in a fresh kernel; save it (with widget state) to ``out``."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    env_backup = dict(os.environ)
    os.environ["NN_COURSE_SMALL_BUDGET"] = "1" if small else ""
    os.environ.setdefault("MPLBACKEND", "Agg")
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                store_widget_state=True,
                                resources={"metadata": {"path": str(path.parent)}})
        start = time.perf_counter()
        client.execute()
        elapsed = time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(env_backup)
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, out)
    return elapsed


def _site_links(text: str) -> str:
    """README links to docs/glossary.md and docs/credits.md point at the site's own pages."""
    return text.replace("](docs/glossary.md)", "](glossary.md)").replace(
        "](docs/credits.md)", "](credits.md)")


def landing_page() -> str:
    """The README up to its maintainers' section, with links made relative to the site."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    text = text.split("\n## For maintainers and instructors", 1)[0]
    return _site_links(text) + "\n\n[Glossary (English ↔ 中文)](glossary.md) · [Credits](credits.md)\n"


def glossary_page() -> str:
    src = ROOT / "docs" / "glossary.md"
    if src.exists():
        return src.read_text(encoding="utf-8")
    return "# Glossary (English ↔ 中文)\n\nThe glossary has not been written yet.\n"


def credits_page() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^## Data and credits\n(.*?)(?=^## )", readme, re.S | re.M)
    body = m.group(1) if m else ""
    src = ROOT / "docs" / "credits.md"
    extra = src.read_text(encoding="utf-8") if src.exists() else ""
    return "# Credits\n\n" + _site_links(body.strip()) + ("\n\n" + extra.strip() if extra else "") + "\n"


def stage(executed: Path | None) -> Path:
    """Write the Sphinx source tree: conf.py, index, notebooks (student view), extra pages."""
    src = BUILD / "src"
    if src.exists():
        shutil.rmtree(src)
    (src / "notebooks").mkdir(parents=True)
    (src / "conf.py").write_text(CONF, encoding="utf-8")
    for extra in ("docs", "results"):  # pictures and tables the pages link to
        if (ROOT / extra).exists():
            shutil.copytree(ROOT / extra, src / extra,
                            ignore=shutil.ignore_patterns("glossary.md", "credits.md"))
    for name in ("INSTRUCTORS.md", "CONTRIBUTING.md"):
        shutil.copy(ROOT / name, src / name)
    pages = []
    for path in notebooks():
        nb_path = executed / path.name if executed and (executed / path.name).exists() else path
        nb = student_view(nbformat.read(nb_path, as_version=4))
        nbformat.write(nb, src / "notebooks" / path.name)
        pages.append(path)
    toc = []
    for title, numbers in PARTS:
        entries = [f"notebooks/{p.stem}" for p in pages if int(p.name[:2]) in numbers]
        if entries:
            toc.append(f"```{{toctree}}\n:caption: {title}\n:maxdepth: 1\n\n"
                       + "\n".join(entries) + "\n```\n")
    toc.append("```{toctree}\n:caption: Reference\n:maxdepth: 1\n\nglossary\ncredits\n"
               "results/RESULTS\nresults/BENCH\nINSTRUCTORS\nCONTRIBUTING\n```\n")
    (src / "index.md").write_text(landing_page() + "\n\n" + "\n".join(toc), encoding="utf-8")
    (src / "glossary.md").write_text(glossary_page(), encoding="utf-8")
    (src / "credits.md").write_text(credits_page(), encoding="utf-8")
    return src


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.images = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag == "img" and attrs.get("src"):
            self.images.append(attrs["src"])


# Warnings a page may show because its text explains them: (notebook prefix, message part).
EXPLAINED_WARNINGS = [
    ("05_", "RuntimeWarning: overflow encountered"),   # the large learning rate's blow-up
]


def check_site(html_dir: Path, sources: list[Path]) -> list[str]:
    """Problems with the built site (empty when it is sound)."""
    problems = []
    for path in sources:
        page = html_dir / "notebooks" / f"{path.stem}.html"
        if not page.exists():
            problems.append(f"no page for {path.name}")
        nb = nbformat.read(BUILD / "src" / "notebooks" / path.name, as_version=4)
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    problems.append(f"{path.name} cell {i}: {out.get('ename')}: {out.get('evalue')}")
                warned = [line for line in out.get("text", "").splitlines() if "Warning: " in line]
                if out.get("name") == "stderr" and warned and not any(
                        path.name.startswith(nb) and text in warned[0]
                        for nb, text in EXPLAINED_WARNINGS):
                    problems.append(f"{path.name} cell {i}: a warning on the page: {warned[0].strip()}")
    for page in html_dir.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        for href in parser.links:
            url = urlparse(href)
            if url.scheme or href.startswith(("#", "mailto:", "//")) or not url.path:
                continue
            target = (page.parent / unquote(url.path)).resolve()
            if not target.exists():
                problems.append(f"{page.relative_to(html_dir)}: broken link {href}")
        for src in parser.images:
            url = urlparse(src)
            if url.scheme in ("data", "http", "https"):
                continue
            target = (page.parent / unquote(url.path)).resolve()
            if not target.exists():
                problems.append(f"{page.relative_to(html_dir)}: missing image {src}")
    return problems


def build(executed: Path | None, quiet: bool = False) -> tuple[Path, list[str]]:
    src = stage(executed)
    html_dir = BUILD / "html"
    if html_dir.exists():
        shutil.rmtree(html_dir)
    cmd = [sys.executable, "-m", "sphinx", "-b", "html", "-q", "--keep-going",
           "-w", str(BUILD / "warnings.txt"), str(src), str(html_dir)]
    proc = subprocess.run(cmd, capture_output=quiet, text=True)
    for path in notebooks():  # the theme's "download .ipynb" button: the student version
        if (html_dir / "notebooks").exists():
            shutil.copy(src / "notebooks" / path.name, html_dir / "notebooks" / path.name)
    problems = [] if proc.returncode == 0 else [f"sphinx-build exited {proc.returncode}"]
    warnings = (BUILD / "warnings.txt").read_text(encoding="utf-8") if (
        BUILD / "warnings.txt").exists() else ""
    problems += [f"sphinx: {w}" for w in warnings.splitlines()
                 if "reference target not found" in w or "toctree contains reference" in w]
    return html_dir, problems + check_site(html_dir, notebooks())


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--small", action="store_true", help="execute at the small budget")
    ap.add_argument("--no-execute", action="store_true", help="build from unexecuted notebooks")
    ap.add_argument("--timeout", type=int, default=None, help="per-cell timeout in seconds")
    ap.add_argument("--nb", default="", help="execute only notebooks whose name starts so "
                    "(comma-separated prefixes: --nb 05,10)")
    args = ap.parse_args(argv)
    executed = None
    if not args.no_execute:
        executed = BUILD / ("executed-small" if args.small else "executed")
        from tqdm.auto import tqdm

        prefixes = tuple(args.nb.split(","))
        todo = [p for p in notebooks() if p.name.startswith(prefixes)]
        for path in tqdm(todo, desc="executing notebooks", unit="notebook"):
            out = executed / path.name
            if out.exists() and out.stat().st_mtime > path.stat().st_mtime:
                continue  # already executed since the notebook last changed
            seconds = execute(path, out, args.small, args.timeout)
            tqdm.write(f"  {path.name}: {seconds:.0f} s")
    start = time.perf_counter()
    html_dir, problems = build(executed)
    pages = len(list(html_dir.rglob("*.html")))
    print(f"built {pages} pages in {time.perf_counter() - start:.0f} s: {html_dir / 'index.html'}")
    for p in problems:
        print("!!", p)
    (BUILD / "report.json").write_text(json.dumps({"pages": pages, "problems": problems}))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
