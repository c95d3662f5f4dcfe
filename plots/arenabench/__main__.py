"""``python3 -m arenabench`` (from plots/): the same command line as arenabench_plots.py."""

import sys

from .cli import main

sys.exit(main())
