"""Terraform plugin protocol 6: handshake, cty msgpack values, schemas, diagnostics."""
