"""Entry point of the frozen bundle: one executable answering to two names.

``vpchecklist-app`` starts the desktop app; ``vpchecklist`` (a symlink to it on Linux and
macOS) runs the command line. One executable instead of two keeps a second copy of the whole
Python archive out of the installer folder.
"""

import multiprocessing
import sys
from pathlib import Path

multiprocessing.freeze_support()  # bulk-export worker processes re-run this executable

if Path(sys.argv[0]).name.lower().startswith("vpchecklist-app"):
    from ui.app import run as main  # what main.py calls
else:
    from vpchecklist.cli import main  # no Qt is imported on this path

sys.exit(main())
