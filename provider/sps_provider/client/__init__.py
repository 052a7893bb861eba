"""SPS REST client: cookie session, transactions and typed errors.

`sps_provider.client.session` (which imports requests) is imported only when the provider is
configured, so that Terraform's many short provider starts (schema, validate) stay fast.
"""
