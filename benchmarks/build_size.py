"""Build the PyInstaller onedir bundle (unless --no-build) and print its size.

python benchmarks/build_size.py [--no-build] [--dist DIR]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-build", action="store_true", help="measure an existing build")
    parser.add_argument("--dist", default=str(ROOT / "dist"))
    args = parser.parse_args()
    dist = Path(args.dist)
    if not args.no_build:
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "PyInstaller",
                "--noconfirm",
                "--log-level",
                "WARN",
                "--distpath",
                str(dist),
                "--workpath",
                str(ROOT / "build"),
                str(ROOT / "build.spec"),
            ],
            cwd=ROOT,
            check=True,
        )
        print(f"build time: {time.perf_counter() - started:.0f} s")
    bundle = dist / "vpchecklist"
    files = [p for p in bundle.rglob("*") if p.is_file() and not p.is_symlink()]
    size = sum(p.stat().st_size for p in files)
    print(f"onedir size: {size / 1e6:.1f} MB in {len(files)} files (target ≤ 130 MB)")
    biggest = sorted(files, key=lambda p: p.stat().st_size, reverse=True)[:8]
    for path in biggest:
        print(f"  {path.stat().st_size / 1e6:6.1f} MB  {path.relative_to(bundle)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
