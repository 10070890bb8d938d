"""``braid_db`` aliased to :mod:`provlake.braid`: put this folder first on ``sys.path`` and a
Braid-DB script or test suite runs unchanged on provml (``import braid_db`` gives
provlake.braid).

With ``PROVML_BRAID_ALIAS_MANAGER=http://HOST:PORT`` the database files the script names are
served by that manager instead (manager mode): the file is still created, as Braid-DB scripts and
tests expect (they delete it), and the records go to the manager.
"""

import os
import sys
import types

import provlake.braid

_MANAGER = os.environ.get("PROVML_BRAID_ALIAS_MANAGER")

if _MANAGER:

    class BraidDB(provlake.braid.BraidDB):
        def __init__(self, db_url, *args, **kwargs):
            if not str(db_url).startswith(("http://", "https://")):
                open(db_url, "a").close()
                db_url = _MANAGER
            super().__init__(db_url, *args, **kwargs)

    _alias = types.ModuleType(__name__, provlake.braid.__doc__)
    _alias.__dict__.update(
        {k: v for k, v in vars(provlake.braid).items() if not k.startswith("__")}
    )
    _alias.BraidDB = BraidDB
    sys.modules[__name__] = _alias
else:
    sys.modules[__name__] = provlake.braid
