"""``python -m tools.grading release|grade ...`` (see tools/grading/cli.py)."""

import sys

from tools.grading.cli import main

sys.exit(main())
