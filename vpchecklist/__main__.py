import multiprocessing
import sys

from vpchecklist.cli import main

# A frozen build starts bulk-export workers by running this executable again.
multiprocessing.freeze_support()
sys.exit(main())
