"""Tests that can fail: no assertion is made true by `or True` or is `assert True`, and no fixed sleep decides a
test's path unless a reason is written beside it (`# sleep: ...` on its line or the line above; a poll interval
inside a loop that waits on a condition is such a reason)."""
from __future__ import annotations

import ast
import io
import tokenize
from pathlib import Path

TESTS = Path(__file__).resolve().parent
SLEEP_REASON = "# sleep:"
SLEEPS = {"sleep", "wait_for_timeout"}  # time.sleep, asyncio.sleep, Playwright's page.wait_for_timeout


def _comments(source: str) -> dict[int, str]:
    return {tok.start[0]: tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
            if tok.type == tokenize.COMMENT}


def _is_true(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and bool(node.value) and not isinstance(node.value, str)


def problems(source: str, where: str) -> list[str]:
    """Each `x or True`, `assert <true constant>` and unexplained sleep in `source`, as 'where:line: what'."""
    comments = _comments(source)
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and any(map(_is_true, node.values)):
            found.append(f"{where}:{node.lineno}: `or True` makes this always true")
        elif isinstance(node, ast.Assert) and _is_true(node.test):
            found.append(f"{where}:{node.lineno}: `assert True` cannot fail")
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            explained = any(SLEEP_REASON in comments.get(line, "") for line in (node.lineno, node.lineno - 1))
            if name in SLEEPS and not explained:
                found.append(f"{where}:{node.lineno}: a fixed sleep; wait on a condition, or write why beside it "
                             f"({SLEEP_REASON} ...)")
    return found


def test_tests_can_fail():
    found = [p for path in sorted(TESTS.rglob("*.py"))
             for p in problems(path.read_text(encoding="utf-8"), str(path.relative_to(TESTS.parent)))]
    assert not found, "\n".join(found)


def test_the_check_finds_what_it_looks_for():
    assert problems("assert f() == 2 or True\n", "t") == ["t:1: `or True` makes this always true"]
    assert problems("ok = x or True\n", "t")
    assert problems("assert True\n", "t") == ["t:1: `assert True` cannot fail"]
    assert problems("import time\ntime.sleep(1)\n", "t")[0].startswith("t:2: a fixed sleep")
    assert problems("from time import sleep\nsleep(1)\n", "t")
    assert problems("page.wait_for_timeout(500)\n", "t")
    assert problems("time.sleep(1)  # let it settle\n", "t"), "a comment without a reason marker"
    # What is allowed: a reason beside the sleep, and ordinary assertions.
    assert not problems("time.sleep(0.2)  # sleep: poll interval\n", "t")
    assert not problems("# sleep: poll interval\ntime.sleep(0.2)\n", "t")
    assert not problems("assert a or b\nassert x, 'message'\nassert f() is True\n", "t")
