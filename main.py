"""Entry point of the desktop app: everything else lives in ``ui.app``."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from ui.app import run

    return run(argv)


if __name__ == "__main__":
    import multiprocessing

    multiprocessing.freeze_support()  # bulk-export workers in a frozen build
    sys.exit(main())
