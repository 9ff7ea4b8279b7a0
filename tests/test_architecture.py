"""The package's layout holds: small modules, no private name used outside its subpackage."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "gisplan"
MAX_LINES = 600
"""No module is longer than this."""


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _subpackage(module: str) -> str:
    """``gisplan.analysis.coverage`` -> ``gisplan.analysis``; base modules are their own."""
    parts = module.split(".")
    return ".".join(parts[:2])


def test_no_module_is_longer_than_600_lines():
    long = {str(p.relative_to(PACKAGE)): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines: {long}"


def test_no_private_name_is_imported_from_another_subpackage():
    crossing = []
    for path in _modules():
        importer = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith(
                    "gisplan"):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__") and (
                        _subpackage(node.module) != _subpackage(importer)):
                    crossing.append(f"{importer} imports {node.module}.{alias.name}")
    assert not crossing, crossing


def test_the_subpackages_are_the_documented_layers():
    readme = (PACKAGE.parent / "README.md").read_text(encoding="utf-8")
    packages = sorted(p.parent.name for p in PACKAGE.glob("*/__init__.py"))
    assert packages == ["analysis", "catalogue", "cli", "network", "outputs", "pipeline",
                        "plan", "sources", "standards"]
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    for name in packages:
        assert f"`{name}/`" in section, name
