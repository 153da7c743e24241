"""``python -m explorer``: see :mod:`explorer.cli`."""

import sys

from explorer.cli.main import main

sys.exit(main())
