"""What anyone who upgrades the packages will run: `pip install -r requirements.txt` alone, in a fresh virtual
environment, gives the whole app (every module imports, a publish of the sample, the Outcomes page with time to
re-arrest under AppTest), `pip check` finds nothing, and requirements-test.txt on top gives every package any
file in the tree imports. No `--no-deps`, no requirements file that overrides another's metadata.

Slow (an install into an empty environment): marked `install`, run by `make test`, left out of `make test-fast`;
pip's own cache is used as for any install.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from leadsf.config import ROOT, SAMPLE_DIR
from leadsf.pipeline import brief_pictures
from tests.conftest import copy_store

pytestmark = pytest.mark.install

SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__"}
# Byte-compiling every installed file is most of an install's CPU (about three quarters here); Python compiles
# what the checks import as they import it. Nothing else differs from a plain `pip install -r`.
PIP_INSTALL = ("--quiet", "--no-compile")

IMPORT_EVERY_MODULE = """
import importlib, pkgutil
import leadsf, pages
names = [m.name for p in (leadsf, pages) for m in pkgutil.walk_packages(p.__path__, p.__name__ + ".")
         if not m.name.endswith(".__main__")]  # runs the command line
for name in names:
    importlib.import_module(name)
print(len(names))
"""

OUTCOMES_PAGE = """
from streamlit.testing.v1 import AppTest
at = AppTest.from_string("from pages import outcomes\\noutcomes.render()", default_timeout=300)
at.run()
assert not at.exception, [e.value for e in at.exception]
assert any(h.value == "Time to re-arrest" for h in at.header), [h.value for h in at.header]
titles = [c.proto.spec for c in at.get("plotly_chart")]
assert any("re-arrest" in s for s in titles), "no time-to-re-arrest chart"
print(next(m.value for m in at.markdown if m.value.startswith("**Time to re-arrest")))
"""


def run(python: Path, *args: str, env: dict | None = None, timeout: int = 900) -> str:
    proc = subprocess.run([str(python), *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          env=env or os.environ.copy())
    assert proc.returncode == 0, f"{' '.join(args[:3])}: exit {proc.returncode}\n{proc.stdout[-3000:]}\n" \
                                 f"{proc.stderr[-3000:]}"
    return proc.stdout


def pip(python: Path, *args: str) -> str:
    """This environment's pip acting on `python`'s environment (pip --python): the same install as that
    environment's own pip would make, without Python's bundled pip, which took twice as long (26 s against 13)."""
    return run(Path(sys.executable), "-m", "pip", "--python", str(python), *args)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    """A new virtual environment with requirements.txt installed and nothing else."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    pip(python, "install", *PIP_INSTALL, "-r", "requirements.txt")
    return python


def test_pip_check_is_clean(fresh):
    assert "No broken requirements found." in pip(fresh, "check")


def test_no_requirements_file_installs_without_dependencies():
    for path in ROOT.glob("requirements*.txt"):
        assert "--no-deps" not in path.read_text(encoding="utf-8"), path.name
    assert "--no-deps" not in (ROOT / "Makefile").read_text(encoding="utf-8")
    assert sorted(p.name for p in ROOT.glob("requirements*.txt")) == ["requirements-test.txt", "requirements.txt"]


def test_every_module_of_the_app_imports(fresh):
    assert int(run(fresh, "-c", IMPORT_EVERY_MODULE)) > 50


def test_publish_of_the_sample_and_the_outcomes_page(fresh, published_sample, tmp_path):
    """A publish onto a copy of the session's store: the briefs read most pictures back (brief_pictures), and
    the two removed here are drawn with what requirements.txt installed."""
    store = tmp_path / "store"
    copy_store(published_sample, store)
    pictures = sorted((store / brief_pictures.FOLDER).iterdir())
    removed = [next(p for p in pictures if p.suffix == suffix) for suffix in (".svg", ".png")]
    for path in removed:
        path.unlink()
    env = os.environ | {"LEADSF_DATA_DIR": str(store)}
    files = [str(p) for p in sorted(SAMPLE_DIR.glob("*.csv"))]
    run(fresh, "-m", "leadsf", "publish", *files, "--synthetic", "--note", "fresh install", env=env)
    assert all(path.exists() for path in removed), "the briefs' pictures were not drawn"
    assert "**Time to re-arrest" in run(fresh, "-c", OUTCOMES_PAGE, env=env)


def imported_packages() -> set[str]:
    """Top-level names every Python file in the tree imports, less the standard library and the tree's own."""
    files = [p for p in ROOT.rglob("*.py") if not SKIP_DIRS & set(p.relative_to(ROOT).parts)]
    own = {p.stem for p in files} | {p.name for p in ROOT.iterdir() if p.is_dir()}
    names = set()
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - own - set(sys.stdlib_module_names) - {"__future__"}


# Last in this file: it adds the test requirements to the environment the tests above checked.
def test_test_requirements_give_every_package_the_tree_imports(fresh):
    pip(fresh, "install", *PIP_INSTALL, "-r", "requirements-test.txt")
    assert "No broken requirements found." in pip(fresh, "check")
    wanted = sorted(imported_packages())
    assert {"streamlit", "statsmodels", "pytest", "playwright"} <= set(wanted), wanted
    found = run(fresh, "-c", "import importlib.util, sys; print(' '.join(n for n in sys.argv[1:] "
                             "if importlib.util.find_spec(n) is None))", *wanted)
    assert found.split() == [], f"imported in the tree but not installed by requirements-test.txt: {found}"
