"""``python -m graphbench`` is the ``graphbench`` command line."""

import sys

from graphbench.cli import main

sys.exit(main())
