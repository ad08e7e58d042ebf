"""The README's first command on a machine without a display or without one of Qt's X11
libraries: one plain sentence naming what is missing and the README section, exit 1 — never
Qt's abort with a core dump. And the README's library list is the one CI installs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from ui.display_failure import README_SECTION

ROOT = Path(__file__).resolve().parents[2]


def _start_app(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "LD_LIBRARY_PATH"}
    }
    clean |= {"QT_QPA_PLATFORM": "xcb", "VPCHECKLIST_HOME": str(tmp_path / "home"), **env}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--smoke-test"],
        capture_output=True,
        text=True,
        env=clean,
        timeout=120,
    )


def _one_plain_sentence(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.returncode, result.stderr)  # not -6 (SIGABRT)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    sentence = lines[0]
    assert f'See "{README_SECTION}" in the README.' in sentence
    assert "Traceback" not in sentence and "qt.qpa" not in sentence
    return sentence


def test_without_a_display_the_app_says_so_and_exits_1(tmp_path: Path) -> None:
    sentence = _one_plain_sentence(_start_app(tmp_path))
    assert "no display was found (DISPLAY is not set)" in sentence


def test_a_display_that_cannot_be_reached_is_named(tmp_path: Path) -> None:
    sentence = _one_plain_sentence(_start_app(tmp_path, DISPLAY=":97"))
    assert "the display :97 cannot be reached" in sentence


def test_a_missing_xcb_library_is_named_with_its_package(tmp_path: Path) -> None:
    # A broken copy found first on the library path stands in for the missing library.
    broken = tmp_path / "lib"
    broken.mkdir()
    (broken / "libxcb-cursor.so.0").write_text("not a library")
    sentence = _one_plain_sentence(_start_app(tmp_path, LD_LIBRARY_PATH=str(broken)))
    assert "the system library libxcb-cursor.so.0 is missing" in sentence
    assert "(Debian package libxcb-cursor0)" in sentence


def test_the_readme_section_lists_every_library_ci_installs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    heading = f"### {README_SECTION}\n"
    assert heading in readme
    section = readme.split(heading, 1)[1].split("\n## ", 1)[0]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    install = ci.split("apt-get install", 1)[1].split(">/dev/null", 1)[0]
    libraries = [word for word in install.split() if word.startswith("lib")]
    assert len(libraries) >= 10
    missing = [
        lib for lib in libraries if not re.search(rf"(?<![\w.-]){re.escape(lib)}\b", section)
    ]
    assert missing == []
