"""The arrows between the apps, read from the imports (DESIGN.md, "The shape").

Everything may use ``core``; ``comments`` and ``polls`` use ``blog``; ``wpimport`` may use
``blog``, ``comments`` and ``polls``; ``blog`` knows none of its plugins and ``core`` no app.
No app takes a private name (``_x``) or a private module from another app.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
APPS = ("core", "blog", "comments", "polls", "wpimport")
ALLOWED = {
    "core": set(),
    "blog": {"core"},
    "comments": {"core", "blog"},
    "polls": {"core", "blog"},
    "wpimport": {"core", "blog", "comments", "polls"},
}


def _imports(path: Path):
    """(imported module, imported names, line) for every import in ``path``, lazy ones too."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module, [alias.name for alias in node.names], node.lineno
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" and node.args:
            arg = node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                yield arg.value, [], node.lineno


def _app_files(app: str):
    return sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def violations(app: str) -> list[str]:
    found = []
    for path in _app_files(app):
        where = path.relative_to(ROOT)
        for module, names, line in _imports(path):
            parts = module.split(".")
            target = parts[0]
            if target not in APPS or target == app:
                continue
            if target not in ALLOWED[app]:
                found.append(f"{where}:{line} imports {module} ({app} must not depend on {target})")
            if any(part.startswith("_") for part in parts[1:]):
                found.append(f"{where}:{line} imports the private module {module}")
            private = [name for name in names if name.startswith("_")]
            if private:
                found.append(f"{where}:{line} takes private names {private} from {module}")
    return found


@pytest.mark.parametrize("app", APPS)
def test_app_depends_only_on_what_the_design_allows(app):
    assert violations(app) == []


def test_the_check_sees_a_forbidden_arrow(tmp_path, monkeypatch):
    """The parser must catch lazy imports inside functions, the way such arrows hide."""
    fake = tmp_path / "blog"
    fake.mkdir()
    (fake / "thing.py").write_text(
        "def f():\n    from comments.models import Comment\n    from core.versions import _fresh\n"
    )
    monkeypatch.setitem(globals(), "ROOT", tmp_path)
    found = violations("blog")
    assert any("must not depend on comments" in v for v in found)
    assert any("private names ['_fresh']" in v for v in found)
