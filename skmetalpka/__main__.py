"""``python -m skmetalpka``: the same as the ``skmetalpka`` command."""

import sys

from .cli import main

sys.exit(main())
