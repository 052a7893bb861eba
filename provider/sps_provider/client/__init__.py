"""SPS REST client: cookie session, transactions and typed errors."""

from sps_provider.client.errors import SpsError
from sps_provider.client.session import SpsClient

__all__ = ["SpsClient", "SpsError"]
