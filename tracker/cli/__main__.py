"""`python -m tracker.cli`: the same as the cramp-journal command."""

import sys

from tracker.cli import main

sys.exit(main())
