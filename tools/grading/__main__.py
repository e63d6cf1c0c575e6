"""``python -m tools.grading release|grade ...`` (see tools/grading/__init__.py)."""

import sys

from tools.grading import main

sys.exit(main())
