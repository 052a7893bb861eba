"""The GetProviderSchema answer, serialized by `make generate` and served as those bytes.

Terraform starts one provider process only to read the schema and closes it again; serving the
bytes written here, that process imports neither protobuf nor the catalog and builds no engine
(ADR 0016). `python -m sps_provider.served_schema` writes the file from the provider's
own `schema_response` (deterministic serialization); `--check` exits 1 when it is stale.
"""

from __future__ import annotations

import functools
import os
import sys

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "provider_schema.bin")


@functools.cache
def load() -> bytes:
    """The serialized GetProviderSchema.Response, read once per process."""
    with open(PATH, "rb") as f:
        return f.read()


def render() -> bytes:
    from sps_provider.provider import Provider

    return bytes(Provider().schema_response.SerializeToString(deterministic=True))


def main(argv: list[str] | None = None) -> int:
    check = "--check" in (argv if argv is not None else sys.argv[1:])
    data = render()
    current = load.__wrapped__() if os.path.exists(PATH) else None
    if current == data:
        return 0
    if check:
        print(f"stale: {PATH}")
        return 1
    with open(PATH, "wb") as f:
        f.write(data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
