"""The one module that chooses the CDK library the constructs build on: `cdktf` 0.21 (the default,
a dependency) or `cdktn` (CDK Terrain, the maintained fork of cdktf with the same API).

`SPS_CDK=cdktf|cdktn` picks one; otherwise the one a stack has already imported, else cdktf when it
is installed, else cdktn. Other modules use `cdk` from here and never import either library, so
constructs and the user's `App`/`TerraformStack` come from the same library.
"""

from __future__ import annotations

import importlib
import os
import sys
from types import ModuleType
from typing import TYPE_CHECKING

__all__ = ["CHOICES", "cdk", "choose"]

CHOICES = ("cdktf", "cdktn")


def choose() -> ModuleType:
    wanted = os.environ.get("SPS_CDK") or None
    if wanted is not None and wanted not in CHOICES:
        raise ImportError(f"SPS_CDK={wanted!r}: choose one of {', '.join(CHOICES)}")
    loaded = [name for name in CHOICES if name in sys.modules]
    candidates = [wanted] if wanted else loaded[:1] or list(CHOICES)
    for name in candidates:
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name != name:
                raise
    raise ImportError(f"sps_constructs needs {' or '.join(candidates)}: pip install 'cdktf~=0.21.0' (or cdktn)")


if TYPE_CHECKING:
    import cdktf as cdk  # the typed surface; cdktn's is the same
else:
    cdk = choose()
