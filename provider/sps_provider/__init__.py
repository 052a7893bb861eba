"""The SPS Terraform provider: plugin protocol 6 over gRPC, driven by the catalog."""

__version__ = "0.1.0"
