"""Every character the UI's strings use is drawn by the bundled DejaVu fonts (issue 13: the
"no entry" sign of a stopped section rendered as an empty box)."""

from __future__ import annotations

import ast
from pathlib import Path

from reportlab.pdfbase.ttfonts import TTFont

from vpchecklist.resources import resources_dir

ROOT = Path(__file__).resolve().parents[2]
#: Where the strings a user reads on screen come from.
SOURCES = [*sorted((ROOT / "ui").rglob("*.py")), ROOT / "vpchecklist" / "presentation.py"]


def _characters_of(path: Path) -> dict[str, int]:
    """Non-ASCII characters of the file's string literals (docstrings and comments aside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) in docstrings:
                continue
            for char in node.value:
                if ord(char) > 127:
                    found.setdefault(char, node.lineno)
    return found


def test_every_ui_string_character_is_in_the_bundled_fonts() -> None:
    fonts = [
        TTFont(name, str(resources_dir() / "fonts" / f"{name}.ttf"))
        for name in ("DejaVuSans", "DejaVuSans-Bold")
    ]
    missing = []
    for path in SOURCES:
        for char, line in _characters_of(path).items():
            for font in fonts:
                if ord(char) not in font.face.charToGlyph:
                    missing.append(f"{path.relative_to(ROOT)}:{line} U+{ord(char):04X} {char}")
    assert not missing, "not in the bundled fonts:\n" + "\n".join(sorted(set(missing)))


def test_the_check_sees_a_symbol_the_fonts_lack() -> None:
    font = TTFont("DejaVuSans", str(resources_dir() / "fonts" / "DejaVuSans.ttf"))
    assert ord("⛔") not in font.face.charToGlyph  # what the sidebar used to show
    assert ord("✖") in font.face.charToGlyph
