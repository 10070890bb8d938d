"""``braid_db`` aliased to :mod:`provlake.braid`: put this folder first on ``sys.path`` and a
Braid-DB script or test suite runs unchanged on provml (``import braid_db`` gives
provlake.braid)."""

import sys

import provlake.braid

sys.modules[__name__] = provlake.braid
