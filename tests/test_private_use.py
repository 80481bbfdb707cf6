"""Libraries are used through their public API only (issues "Built to last" and "A second look"): no code of
ours replaces anything in another library's module or class, or sets or reads a private (`_name`) attribute
of an object that is not ours. A library release may rename or drop anything private without notice, and a
replaced function changes the library for the whole process, where nothing tells the person upgrading.

The scan reads every Python file of the project with `ast` (no code is run):
- assignment (`=`, `+=`, `del`, `setattr`) to an attribute of a name imported from a library, or of anything
  reached from one (`plotly.io.to_json = ...`, `FileResponse.chunk_size = ...`);
- a private name imported from a library (`from x import _y`, `import _plotly_utils`), or passed to one as a
  keyword (`go.Figure(spec, _validate=False)`);
- a private attribute (`x._y`, `getattr(x, "_y")`) read or set on anything but `self`/`cls`, unless our own
  code defines that attribute (a class body or a `self._y = ...` of ours): `fig._validate`, `at._tree`.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("leadsf", "pages", "deploy", "bench", "tests", "dashboard.py", "app.py")
# Python's own names with a leading underscore that are documented as public: os._exit, sys._getframe and a
# named tuple's methods (named so as not to clash with its fields).
DOCUMENTED = {"os._exit", "sys._getframe", "_asdict", "_replace", "_fields", "_make"}


@dataclass(frozen=True)
class Finding:
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


def python_files(root: Path = ROOT) -> list[Path]:
    files = []
    for name in SCANNED:
        path = root / name
        files += sorted(p for p in path.rglob("*.py") if ".venv" not in p.parts and "node_modules" not in p.parts) \
            if path.is_dir() else [path] if path.exists() else []
    return files


def own_modules(files: list[Path], root: Path = ROOT) -> set[str]:
    """Top-level names our files import as their own: the packages, and the scripts beside each other in a
    directory put on sys.path (bench's `server`, `loadtest`)."""
    return set(SCANNED) - {"dashboard.py", "app.py"} | {"dashboard", "app"} | {p.stem for p in files} | {
        p.parent.name for p in files}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined(body: list[ast.stmt]) -> Iterator[str]:
    """The names a module's or a class's body defines."""
    for item in body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield item.name
        for target in getattr(item, "targets", [getattr(item, "target", None)]):
            if isinstance(target, ast.Name):
                yield target.id


def own_private_names(trees: dict[Path, ast.AST]) -> set[str]:
    """Private names our own code defines: at a module's top level, in a class body, or set on self/cls."""
    names = set()
    for tree in trees.values():
        names.update(_defined(tree.body))
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names.update(_defined(node.body))
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) \
                    and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                names.add(node.attr)
    return {n for n in names if _private(n)}


def _library_imports(tree: ast.AST, own: set[str]) -> tuple[dict[str, str], list[tuple[ast.AST, str]]]:
    """Local name -> dotted library path for every library import in a file, and private names imported."""
    names, private = {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in own:
                    continue
                if any(_private(part) for part in alias.name.split(".")):
                    private.append((node, alias.name))
                top = alias.name.split(".")[0]
                names[alias.asname or top] = alias.name if alias.asname else top
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] not in own:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if any(_private(part) for part in full.split(".")):
                    private.append((node, full))
                names[alias.asname or alias.name] = full
    return names, private


def _dotted(node: ast.AST, imported: dict[str, str]) -> str | None:
    """`plotly.io.to_json` for an attribute chain rooted at an imported library name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in imported:
        return ".".join([imported[node.id], *reversed(parts)])
    return None


def _attribute_uses(tree: ast.AST) -> Iterator[tuple[ast.AST, ast.AST, str, bool]]:
    """(node, object, attribute name, is a write) for every attribute access, getattr/setattr/delattr with a
    constant name included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            yield node, node.value, node.attr, isinstance(node.ctx, (ast.Store, ast.Del))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) >= 2 \
                and node.func.id in ("getattr", "setattr", "delattr", "hasattr") \
                and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str):
            yield node, node.args[0], node.args[1].value, node.func.id in ("setattr", "delattr")


def scan(root: Path = ROOT) -> list[Finding]:
    files = python_files(root)
    trees = {p: ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for p in files}
    own, ours = own_modules(files, root), own_private_names(trees)
    found = []
    for path, tree in trees.items():
        rel = path.relative_to(root).as_posix()
        imported, private_imports = _library_imports(tree, own)
        found += [Finding(f"{rel}:{node.lineno}", f"imports the private {name}") for node, name in private_imports
                  if name not in DOCUMENTED]
        for node, obj, attr, write in _attribute_uses(tree):
            library = _dotted(obj, imported)
            if write and library is not None:
                found.append(Finding(f"{rel}:{node.lineno}", f"replaces {library}.{attr}"))
            elif _private(attr) and not {attr, f"{library}.{attr}"} & DOCUMENTED and (
                    library is not None or not (isinstance(obj, ast.Name) and obj.id in ("self", "cls"))
                    and attr not in ours):
                found.append(Finding(f"{rel}:{node.lineno}", ("sets " if write else "reads ")
                                     + f"the private {library or ast.unparse(obj)}.{attr}"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (library := _dotted(node.func, imported)) is not None:
                found += [Finding(f"{rel}:{node.lineno}", f"passes the private {kw.arg}= to {library}")
                          for kw in node.keywords if kw.arg and _private(kw.arg)]
    return found


def test_no_library_is_patched_or_read_through_its_private_parts():
    found = scan()
    assert not found, "library internals used (use its public API instead):\n" + "\n".join(map(str, found))


def test_the_scan_finds_each_kind_of_private_use(tmp_path):
    """The scan itself, on a small tree of the same shape, so the test above can fail."""
    (tmp_path / "leadsf").mkdir()
    (tmp_path / "leadsf" / "bad.py").write_text(
        "import plotly.io\nimport plotly.graph_objects as go\nfrom starlette.responses import FileResponse\n"
        "from _plotly_utils.utils import PlotlyJSONEncoder\n"
        "plotly.io.to_json = len\nFileResponse.chunk_size = 1 << 20\n"
        "fig = go.Figure({}, _validate=False)\nfig._validate = False\nsetattr(fig, '_grid_ref', None)\n"
        "print(fig._data)\n")
    (tmp_path / "leadsf" / "good.py").write_text(
        "import os\nimport plotly.graph_objects as go\n\n\nclass Mine(go.Figure):\n    _kept = None\n\n"
        "    def to_dict(self):\n        self._made = 1\n        return self.__dict__\n\n\n"
        "def use(m: Mine):\n    m._kept = m._made\n    os._exit(0)\n")
    found = [str(f) for f in sorted(scan(tmp_path), key=lambda f: int(f.where.rsplit(":", 1)[1]))]
    assert found == ["leadsf/bad.py:4: imports the private _plotly_utils.utils.PlotlyJSONEncoder",
                     "leadsf/bad.py:5: replaces plotly.io.to_json",
                     "leadsf/bad.py:6: replaces starlette.responses.FileResponse.chunk_size",
                     "leadsf/bad.py:7: passes the private _validate= to plotly.graph_objects.Figure",
                     "leadsf/bad.py:8: sets the private fig._validate",
                     "leadsf/bad.py:9: sets the private fig._grid_ref",
                     "leadsf/bad.py:10: reads the private fig._data"], found
