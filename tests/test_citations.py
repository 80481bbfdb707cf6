"""Every citation in the repository leads somewhere inside it: each privacy rule `R-n` cited in code, tests,
locales or docs is a heading of docs/privacy.md, and each document cited (a docs/ path, a *.md path, a
Markdown link, the README's "section") exists, its #anchor included. A citation of a file outside the
repository (an absolute path), or a section (§) of an unnamed one, fails too: a newcomer's clone has only the
repository."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRIVACY = ROOT / "docs" / "privacy.md"
THIS = Path(__file__).resolve()

TEXT_SUFFIXES = {".py", ".md", ".toml", ".json", ".sql", ".in", ".service", ".conf", ".ini", ".cfg", ".txt",
                 ".sh", ".yaml", ".yml", ".js", ".html", ".css"}
TEXT_NAMES = {"Makefile", ".importlinter", "run"}
# Git-ignored or generated trees, for a checkout without git (the listing below uses git's own ignore rules).
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", "test-artifacts", "store"}

RULE = re.compile(r"\bR-(\d+)\b")
URL = re.compile(r"https?://\S+")
MD_PATH = re.compile(r"(?<![\w.-])(/?(?:\.\.?/)*[\w.-]+(?:/[\w.-]+)*\.md)(#[\w-]+)?(?![\w])")
DOCS_PATH = re.compile(r"(?<![\w./-])(docs/[\w./-]*[\w])(#[\w-]+)?")
MD_LINK = re.compile(r"\]\(([^)\s]+)\)")
README_SECTION = re.compile(r"README's \"([^\"]+)\"")
HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")


def _files() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                             capture_output=True, text=True, check=True).stdout.splitlines()
        paths = [ROOT / p for p in out]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in ROOT.rglob("*") if not SKIP_DIRS & set(p.relative_to(ROOT).parts)]
    return sorted(p for p in paths if p.is_file() and p.resolve() != THIS
                  and (p.suffix in TEXT_SUFFIXES or p.name in TEXT_NAMES))


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation other than - and _ dropped, spaces to -."""
    text = re.sub(r"[`*_]{1,2}(?=\S)|(?<=\S)[`*_]{1,2}", "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(md: Path) -> set[str]:
    found, seen, fenced = set(), {}, False
    for line in md.read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
            continue
        found.update(HTML_ANCHOR.findall(line))
        m = None if fenced else HEADING.match(line)
        if m:
            slug = _slug(m.group(1))
            n = seen.get(slug, 0)
            seen[slug] = n + 1
            found.add(slug if n == 0 else f"{slug}-{n}")
    return found


def rules_defined() -> set[int]:
    return {int(m.group(1)) for line in PRIVACY.read_text(encoding="utf-8").splitlines()
            if (m := re.fullmatch(r"#{2,6} R-(\d+)", line.strip()))}


def _resolve(target: str, cited_in: Path) -> Path | None:
    if target.startswith("/"):
        return None  # outside the repository
    for base in (cited_in.parent, ROOT):
        candidate = (base / target).resolve()
        if candidate.exists() and candidate.is_relative_to(ROOT):
            return candidate
    return None


def _check(target: str, anchor: str | None, cited_in: Path, problems: list[str], where: str) -> None:
    path = _resolve(target, cited_in)
    if path is None:
        problems.append(f"{where}: {target} is not in the repository")
    elif anchor and path.suffix == ".md" and anchor not in anchors(path):
        problems.append(f"{where}: {target} has no heading or anchor #{anchor}")


def citation_problems(files: list[Path]) -> list[str]:
    defined = rules_defined()
    problems: list[str] = []
    for f in files:
        rel = f.relative_to(ROOT) if f.is_relative_to(ROOT) else f.name
        for no, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            where = f"{rel}:{no}"
            for m in RULE.finditer(line):
                if int(m.group(1)) not in defined:
                    problems.append(f"{where}: R-{m.group(1)} is not a rule of docs/privacy.md")
            text = URL.sub("", line)
            cited = {(m.group(1), (m.group(2) or "#")[1:] or None) for m in MD_PATH.finditer(text)}
            cited |= {(m.group(1), (m.group(2) or "#")[1:] or None) for m in DOCS_PATH.finditer(text)}
            if f.suffix == ".md":
                for m in MD_LINK.finditer(text):
                    target, _, anchor = m.group(1).partition("#")
                    if target.startswith(("http:", "https:", "mailto:")):
                        continue
                    if not target:  # a link within the same page
                        if anchor not in anchors(f):
                            problems.append(f"{where}: no heading or anchor #{anchor} in this file")
                        continue
                    cited.add((target, anchor or None))
            for target, anchor in sorted(cited, key=str):
                _check(target, anchor, f, problems, where)
            if "§" in text and f.suffix != ".md" and not cited:
                problems.append(f"{where}: a section (§) cited without the document that holds it")
            for section in README_SECTION.findall(line):
                if _slug(section) not in anchors(ROOT / "README.md"):
                    problems.append(f"{where}: the README has no section \"{section}\"")
    return problems


def test_privacy_md_defines_each_rule_once_as_a_heading():
    headings = re.findall(r"(?m)^#{2,6} R-(\d+)\s*$", PRIVACY.read_text(encoding="utf-8"))
    assert headings, "docs/privacy.md has no R-n headings"
    assert len(headings) == len(set(headings)), "a rule is defined twice in docs/privacy.md"


def test_every_rule_and_document_cited_exists_in_the_repository():
    files = _files()
    assert any(f.name == "config.py" for f in files) and any(f.suffix == ".md" for f in files)
    problems = citation_problems(files)
    assert not problems, "citations that lead nowhere:\n" + "\n".join(problems)


def test_the_check_finds_a_rule_a_path_and_an_anchor_that_do_not_exist(tmp_path):
    """The scanner itself: a module citing a missing rule, a file outside the repository, a missing docs/ file,
    a missing anchor and a section of an unnamed document yields one problem for each; real ones yield none."""
    planted = tmp_path / "planted.py"  # outside the tree, so no other test running beside this one sees it
    planted.write_text('"""See R-99, /work/shared/DESIGN.md, docs/nowhere.md and docs/privacy.md#no-such-anchor.\n'
                       'As in privacy_rules §2.4.\n'
                       'Also R-1, docs/privacy.md#r-1, README.md and docs/img/home.png."""\n', encoding="utf-8")
    problems = citation_problems([planted])
    assert len(problems) == 5, problems
    for part in ("R-99", "/work/shared/DESIGN.md", "docs/nowhere.md", "#no-such-anchor", ":2: a section"):
        assert any(part in p for p in problems), (part, problems)
