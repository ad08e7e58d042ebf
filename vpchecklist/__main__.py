import sys

from vpchecklist.cli import main

sys.exit(main())
