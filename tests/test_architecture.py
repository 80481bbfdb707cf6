"""The layers of leadsf (.importlinter's import-linter contracts), no import circles, a public site that loads
no release building, and no private name used across modules.

`lint-imports` is the judge of the contracts; these tests run it on the real tree, show that it fails on a
planted wrong import (a pipeline module that imports Streamlit, a circle, a public module reaching the
publish), and check what it cannot: that no module reaches into another's private names (`from x import _y`,
`x._y`).
"""
from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from leadsf.config import ROOT

LINT = [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command; "
                              "sys.exit(lint_imports_command())"]
PROJECT = ("leadsf", "pages")


def lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([*LINT, "--no-cache"], cwd=root, capture_output=True, text=True, timeout=300,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})


def test_the_layers_hold():
    proc = lint(ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Contracts: 7 kept, 0 broken." in proc.stdout, proc.stdout


def planted(tmp_path: Path, module: str, line: str) -> Path:
    """A copy of the project's packages and contracts with `line` added at the end of `module`."""
    tree = tmp_path / "tree"
    for name in (*PROJECT, ".importlinter"):
        source = ROOT / name
        (shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__")) if source.is_dir()
         else shutil.copy(source, tree / name))
    target = tree / module
    target.write_text(target.read_text() + f"\n{line}  # a wrong import\n")
    return tree


@pytest.mark.parametrize("module, line, contract", [
    ("leadsf/pipeline/release.py", "import streamlit", "The release pipeline imports no Streamlit"),
    ("leadsf/pipeline/store.py", "import plotly.graph_objects", "The release pipeline imports no Plotly"),
    ("leadsf/pipeline/export.py", "from leadsf.site import ui", "Site over pipeline over statistics"),
    ("leadsf/stats/highlights.py", "from leadsf.pipeline import store", "Site over pipeline over statistics"),
    ("leadsf/site/charts.py", "import pages.home", "Site over pipeline over statistics"),
    ("leadsf/site/ui/data.py", "from leadsf.pipeline import store", "The public site loads no release building"),
    ("pages/home.py", "import pandera", "The public site loads no release building"),
])
def test_a_wrong_import_fails_with_its_name(tmp_path, module, line, contract):
    proc = lint(planted(tmp_path, module, line))
    assert proc.returncode == 1, proc.stdout
    dotted = module.removesuffix(".py").replace("/", ".")
    broken = proc.stdout.split("Broken contracts", 1)[-1]
    assert f"{contract}\n" in broken and dotted in broken, proc.stdout


@pytest.mark.parametrize("module, line, package, pair", [
    # the publish's old circle: the store calling the open-data writer that reads the store
    ("leadsf/pipeline/store.py", "from leadsf.pipeline import publishing", "leadsf.pipeline",
     (".store", ".publishing")),
    # an import inside a function is an import: a circle put off until a call is still a circle
    ("leadsf/pipeline/cohort_periods.py", "def later():\n    from leadsf.pipeline import cohorts",
     "leadsf.pipeline", (".cohort_periods", ".cohorts")),
    ("leadsf/pipeline/sample_basis.py", "from leadsf.pipeline import sample", "leadsf.pipeline",
     (".sample_basis", ".sample")),
    # between packages: statistics importing the site, which imports statistics
    ("leadsf/stats/highlights.py", "from leadsf.site import l10n", "leadsf", (".stats", ".site")),
])
def test_an_import_circle_fails_with_an_import_of_the_circle(tmp_path, module, line, package, pair):
    """import-linter names the package and one import whose removal breaks the circle: the planted one or
    the one it closed the circle with (two imports of one module each, it may pick either)."""
    proc = lint(planted(tmp_path, module, line))
    assert proc.returncode == 1, proc.stdout
    broken = proc.stdout.split("Broken contracts", 1)[-1]
    assert "No import circles\n" in broken, proc.stdout
    a, b = pair
    assert f"No cycles are allowed in {package}." in broken, proc.stdout
    assert f"- {a} -> {b} (" in broken or f"- {b} -> {a} (" in broken, proc.stdout


def project_modules(root: Path) -> dict[str, Path]:
    out = {}
    for path in [*root.glob("leadsf/**/*.py"), *root.glob("pages/**/*.py"), *root.glob("dashboard.py")]:
        parts = list(path.relative_to(root).with_suffix("").parts)
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def private_uses(root: Path) -> list[str]:
    """Every `from m import _x` and `m._x` in one project module naming another project module's private
    name. A module's own names, and dunders, are its own business."""
    found, modules = [], project_modules(root)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {}  # local name -> project module it stands for
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*parent, *([node.module] if node.module else [])])
                for alias in node.names:
                    if f"{base}.{alias.name}" in modules:
                        aliases[alias.asname or alias.name] = f"{base}.{alias.name}"
                    elif base in modules and base != name and _private(alias.name):
                        found.append(f"{path.relative_to(root)}:{node.lineno} imports {base}.{alias.name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name in modules and alias.asname:
                        aliases[alias.asname] = alias.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name)
                    and aliases.get(node.value.id, name) != name):
                found.append(f"{path.relative_to(root)}:{node.lineno} uses {aliases[node.value.id]}.{node.attr}")
    return found


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def test_no_private_name_is_used_across_modules():
    assert private_uses(ROOT) == []


def test_the_private_name_check_sees_both_forms(tmp_path):
    probe = tmp_path / "leadsf" / "probe"
    probe.mkdir(parents=True)
    (probe / "__init__.py").write_text("")
    (probe / "a.py").write_text("_secret = 1\n\n\ndef _own():\n    return _secret\n")
    (probe / "b.py").write_text("from leadsf.probe.a import _secret\nfrom leadsf.probe import a\nfrom . import a as c\n"
                                "print(a._secret, c._own, a.__name__)\n")
    assert private_uses(tmp_path) == ["leadsf/probe/b.py:1 imports leadsf.probe.a._secret",
                                      "leadsf/probe/b.py:4 uses leadsf.probe.a._secret",
                                      "leadsf/probe/b.py:4 uses leadsf.probe.a._own"]


def test_the_command_line_runs_whole_without_the_site(store, tmp_path):
    """`python -m leadsf` publishes, rolls back and exports with no Streamlit, Plotly or pydeck loaded: the
    pipeline stands on its own at run time, not only in its import statements. It starts from a copy of the
    published sample (release 1), so the publish is release 2 and the rollback goes back to 1."""
    script = f"""
import sys
from leadsf.pipeline.cli import main
steps = [["publish", *sorted(str(p) for p in (sys.argv[1:]))], ["rollback", "1"], ["history"],
         ["export", {str(tmp_path / "bundle")!r}], ["validate", sys.argv[1]], ["template", "costs"]]
codes = [main(step) for step in steps]
print(codes, sorted({{m.split(".")[0] for m in sys.modules}} & {{"streamlit", "plotly", "pydeck"}}))
"""
    samples = sorted(str(p) for p in (ROOT / "data" / "sample").glob("*.csv"))
    proc = subprocess.run([sys.executable, "-c", script, *samples], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={"LEADSF_DATA_DIR": str(store.root), "PATH": "/usr/bin:/bin",
                                            "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "[0, 0, 0, 0, 0, 0] []", proc.stdout[-2000:]
    assert store.numbers() == [1, 2] and store.current() == 1


def descriptor_redirections(root: Path) -> list[str]:
    """Every call of os.dup2 in the project, as `path:line` plus `at import` when it runs on import (outside any
    function): a process-wide redirection of stdout, in a threaded server, swallows what other threads print."""
    found = []
    for name, path in project_modules(root).items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        inside = {id(n) for f in ast.walk(tree) if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))
                  for n in ast.walk(f)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "dup2":
                found.append(f"{path.relative_to(root)}:{node.lineno}" + ("" if id(node) in inside else " at import"))
    return sorted(found)


def test_stdout_is_redirected_only_by_the_command_line_while_it_builds():
    """HiGHS is quieted by its options where a model runs (leadsf.pipeline.suppression), never at import; only
    the single-threaded command line points its stdout at stderr while a release is built (cli._building)."""
    found = descriptor_redirections(ROOT)
    assert [f.split(":")[0] for f in found] == ["leadsf/pipeline/cli.py"] * 2, found
    assert not [f for f in found if f.endswith("at import")], found
