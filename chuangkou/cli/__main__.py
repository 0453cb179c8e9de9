"""``python -m chuangkou.cli``: the same as the ``chuangkou`` command."""

import sys

from chuangkou.cli import main

sys.exit(main())
