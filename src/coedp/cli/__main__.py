"""``python -m coedp.cli``: the same as the ``coedp`` console script."""

import sys

from coedp.cli import main

sys.exit(main())
