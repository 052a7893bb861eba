"""Is a value a cdktf token (known only when Terraform runs)? Answered without a jsii round trip
to Node whenever the encoding settles it: synth of 1,000 constructs asks this for every string.

cdktf encodes tokens in strings as `${TfToken[...]}` and numbers as doubles near -1.89e289; any
other string with `${` or number in that range is asked of `cdk.Token.is_unresolved`.
"""

from __future__ import annotations

from typing import Any

from sps_constructs.cdk import cdk

_STRING_MARKER = "${TfToken["
_NUMBER_FLOOR = 1e280


def is_unresolved(v: Any) -> bool:
    if isinstance(v, str):
        if _STRING_MARKER in v:
            return True
        if "${" not in v:
            return False
    elif not (isinstance(v, float) and abs(v) >= _NUMBER_FLOOR):
        return False
    return bool(cdk.Token.is_unresolved(v))
