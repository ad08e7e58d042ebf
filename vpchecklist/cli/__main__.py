"""``python -m vpchecklist.cli`` (what the tests and the frozen bundle's workers run)."""

import sys

from vpchecklist.cli.app import main

if __name__ == "__main__":
    sys.exit(main())
