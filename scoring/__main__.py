"""``python -m scoring``: the command line of SPEC §7."""

import sys

from scoring.cli import main

sys.exit(main())
