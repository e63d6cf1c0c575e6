"""The bilingual glossary (``docs/glossary.md``) and the terms the notebooks introduce.

House style: a key term is introduced once, in bold, with its Chinese term in parentheses:
``**back-propagation** (反向传播)`` (or ``**back-propagation (反向传播)**``). ``terms()`` collects every such introduction from the
notebooks' Markdown, in course order; ``entries()`` reads the glossary's table

    | English | 中文 | first defined in | definition |
    | back-propagation | 反向传播 | [03](notebooks/03_backprop_and_autograd.ipynb) | ... |

``problems()`` lists what disagrees: a term a notebook introduces that the glossary lacks,
an entry whose notebook does not introduce it, a Chinese term that differs.

    python tools/glossary.py            # report problems (exit 1 when there are any)
    python tools/glossary.py --missing  # print table rows for the missing terms, to fill in
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = ROOT / "docs" / "glossary.md"
TERM = re.compile(r"\*\*(?P<en>[^*\n]{2,80}?)\*\*\s*[（(](?P<zh>[^)）\n]{1,40})[)）]"
                  r"|\*\*(?P<en2>[^*\n(（]{2,80}?)\s*[（(](?P<zh2>[^)）*\n]{1,40})[)）]\*\*")
CJK = re.compile(r"[\u3400-\u9fff]")
ROW = re.compile(r"^\|\s*(?P<en>[^|]+?)\s*\|\s*(?P<zh>[^|]+?)\s*\|\s*\[(?P<nb>\d\d)\]\((?P<link>[^)]+)\)"
                 r"\s*\|\s*(?P<definition>[^|]*?)\s*\|\s*$")


def key(term: str) -> str:
    """The comparison form of an English term: lower case, single spaces, no markup."""
    return " ".join(term.replace("`", "").lower().split())


def terms(paths=None) -> dict[str, dict]:
    """``key -> {"en", "zh", "notebooks": [NN, ...]}`` for every term introduced in house style."""
    import nbformat

    found: dict[str, dict] = {}
    for path in paths or sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        number = Path(path).name[:2]
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            for m in TERM.finditer(cell.source):
                en, zh = (m["en"], m["zh"]) if m["en"] else (m["en2"], m["zh2"])
                if not CJK.search(zh):
                    continue  # a bold phrase followed by an English aside, not a term
                zh = re.split(r"[,;，；]", zh)[0].strip()  # "S 型函数, also ..." -> "S 型函数"
                entry = found.setdefault(key(en), {"en": en.strip(), "zh": zh, "notebooks": []})
                if number not in entry["notebooks"]:
                    entry["notebooks"].append(number)
    return found


def entries(path: Path = GLOSSARY) -> dict[str, dict]:
    """``key -> {"en", "zh", "nb", "link", "definition"}`` from the glossary's table."""
    out = {}
    if not path.exists():
        return out
    for line in path.read_text(encoding="utf-8").splitlines():
        m = ROW.match(line)
        if m:
            out[key(m["en"])] = m.groupdict()
    return out


def problems(found=None, table=None) -> list[str]:
    found = terms() if found is None else found
    table = entries() if table is None else table
    out = []
    for k, t in found.items():
        if k not in table:
            out.append(f"'{t['en']}' ({t['zh']}) is introduced in {t['notebooks'][0]} "
                       "but missing from docs/glossary.md")
    for k, e in table.items():
        t = found.get(k)
        if t is None:
            out.append(f"glossary entry '{e['en']}' is introduced by no notebook "
                       "(**term** (中文) in a Markdown cell)")
            continue
        if e["nb"] != t["notebooks"][0]:
            out.append(f"glossary entry '{e['en']}' points at {e['nb']}, but it is first "
                       f"introduced in {t['notebooks'][0]}")
        if not e["link"].startswith(f"notebooks/{e['nb']}_") or not (ROOT / e["link"]).exists():
            out.append(f"glossary entry '{e['en']}' links to {e['link']}, not notebook {e['nb']}")
        if CJK.sub("", e["zh"]) == e["zh"]:
            out.append(f"glossary entry '{e['en']}' has no Chinese term")
        elif t is not None and e["zh"] != t["zh"]:
            out.append(f"glossary entry '{e['en']}' says {e['zh']}, but {t['notebooks'][0]} "
                       f"introduces it as {t['zh']}")
        if not e["definition"].strip():
            out.append(f"glossary entry '{e['en']}' has no definition")
    return out


def main(argv) -> int:
    if "--missing" in argv:
        table = entries()
        for k, t in terms().items():
            if k not in table:
                nb = t["notebooks"][0]
                link = next((ROOT / "notebooks").glob(f"{nb}_*.ipynb")).relative_to(ROOT)
                print(f"| {t['en']} | {t['zh']} | [{nb}]({link.as_posix()}) |  |")
        return 0
    found = problems()
    for p in found:
        print("!!", p)
    print(f"{len(terms())} terms introduced; {len(entries())} glossary entries; "
          f"{len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
