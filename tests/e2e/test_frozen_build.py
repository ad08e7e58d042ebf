"""Build the PyInstaller bundle and run it the way hospital IT would check it, headless."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.build


def folder_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("pyinstaller")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            str(ROOT / "build.spec"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return work / "dist" / "vpchecklist"


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", VPCHECKLIST_HOME=str(tmp_path / "home"))
    env.pop("VPCHECKLIST_DB", None)
    return env


def test_frozen_app_smoke_test(bundle: Path, tmp_path: Path) -> None:
    app = bundle / "vpchecklist-app"
    result = subprocess.run(
        [str(app), "--smoke-test", "--db", str(tmp_path / "app.sqlite")],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    version = subprocess.run(
        [str(app), "--version"], env=_env(tmp_path), capture_output=True, text=True, timeout=60
    )
    assert version.returncode == 0 and "0." in version.stdout + version.stderr


def test_frozen_cli_demo_and_verify(bundle: Path, tmp_path: Path) -> None:
    cli = bundle / "vpchecklist"
    db = str(tmp_path / "cli.sqlite")
    demo = subprocess.run(
        [str(cli), "--db", db, "demo", "--count", "5", "--seed", "3"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert demo.returncode == 0, demo.stderr
    assert len(demo.stdout.split()) == 5
    verify = subprocess.run(
        [str(cli), "--db", db, "audit", "verify"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stderr


def test_frozen_cli_exports_and_verifies_pdfs(bundle: Path, tmp_path: Path) -> None:
    """reportlab, pypdf and the bulk-export worker processes must all work frozen."""
    cli = bundle / "vpchecklist"
    db = str(tmp_path / "export.sqlite")
    env = _env(tmp_path)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(cli), "--db", db, *args],
            env=env,
            capture_output=True,
            text=True,
            input="demo-password\n",
            timeout=300,
        )

    assert run("demo", "--count", "30", "--seed", "4").returncode == 0
    one = tmp_path / "one.pdf"
    exported = run("export", "1", "--out", str(one), "--user", "demo.auditor", "--password-stdin")
    assert exported.returncode == 0, exported.stderr
    assert run("verify", str(one)).returncode == 0
    bulk = run(
        "export", "--out", str(tmp_path / "bulk"), "--user", "demo.auditor", "--password-stdin"
    )
    assert bulk.returncode == 0, bulk.stderr
    assert len(list((tmp_path / "bulk").glob("*.pdf"))) == 30


def test_bundle_size_is_reported(bundle: Path) -> None:
    size_mb = folder_size(bundle) / 1e6
    print(f"\nonedir size: {size_mb:.1f} MB (target ≤ 130 MB)")
    assert (bundle / "_internal" / "resources" / "templates" / "vertebroplasty-v1.toml").exists()
    assert size_mb < 400, f"bundle unexpectedly large: {size_mb:.0f} MB"
