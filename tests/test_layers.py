"""The one-way module order: a module may import only from its own layer or lower ones."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "sahelevents"

# Lower index = lower layer. A module's layer is the first prefix that matches its dotted name.
LAYERS: list[tuple[str, ...]] = [
    ("spans", "issues", "textnorm", "yamlio", "models", "modelio", "project", "codebook",
     "gazetteer", "schemas", "render", "extract.literals", "extract.dates", "extract.numbers",
     "extract.fatalities"),
    ("sources",),
    ("sentences", "workspace"),
    ("extract",),
    ("annotations", "annotate", "annotation_writer", "suggest"),
    ("validate", "evaluate", "agreement", "adjudicate", "migrate"),
    ("release",),
    ("reporters", "pipeline"),
    ("cli", "__main__"),
]


def layer_of(module: str) -> int:
    best: tuple[int, int] | None = None
    for index, names in enumerate(LAYERS):
        for name in names:
            matches = module == name or module.startswith(name + ".")
            # the longest matching prefix decides (extract.dates before extract)
            if matches and (best is None or len(name) > best[1]):
                best = (index, len(name))
    if best is None:
        raise AssertionError(f"module sahelevents.{module} has no layer in tests/test_layers.py")
    return best[0]


def modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = [p for p in rel.parts if p != "__init__"]
        if parts:
            out[".".join(parts)] = path
    return out


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("sahelevents."):
                found.add(node.module.removeprefix("sahelevents."))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sahelevents."):
                    found.add(alias.name.removeprefix("sahelevents."))
    return found


def test_every_module_imports_only_lower_or_same_layers() -> None:
    violations = []
    for name, path in modules().items():
        own = layer_of(name)
        for imported in imports_of(path):
            if layer_of(imported) > own:
                violations.append(f"{name} (layer {own}) imports {imported} "
                                  f"(layer {layer_of(imported)})")
    assert not violations, "\n".join(violations)


def test_only_the_cli_imports_click() -> None:
    offenders = [name for name, path in modules().items()
                 if not name.startswith("cli") and "click" in {
                     n.split(".")[0] for n in _all_imports(path)}]
    assert not offenders


def _all_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names
