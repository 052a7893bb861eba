"""Shared state for one stack: Terraform's `pg` backend, one schema per stack.

The connection string is not synthesized: Terraform reads it from `PG_CONN_STR` (or the libpq
variables PGHOST, PGPASSWORD, ...) at `init`, so no database password lands in cdk.tf.json and
the same synthesized stack works against any database.
"""

from __future__ import annotations

import re

from cdktf import PgBackend, TerraformStack

_SCHEMA = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def pg_state(stack: TerraformStack, schema: str) -> PgBackend:
    """Store the stack's state in PostgreSQL schema `schema` (created by `terraform init`)."""
    if not _SCHEMA.match(schema):
        raise ValueError(
            f"{stack.node.path}: schema name {schema!r} must match {_SCHEMA.pattern} (a plain PostgreSQL name)"
        )
    backend = PgBackend(stack, conn_str="from PG_CONN_STR", schema_name=schema)
    backend.add_override("conn_str", None)
    return backend
