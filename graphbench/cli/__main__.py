"""``python -m graphbench.cli``."""

import sys

from graphbench.cli import main

sys.exit(main())
