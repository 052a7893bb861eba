"""The reference docs, rendered from the schema the provider serves plus the catalog.

`python -m sps_docs` (part of `make generate`) calls the provider's GetProviderSchema in process,
as tfplugindocs reads `terraform providers schema -json`, and renders the pages in `templates/`
with Jinja2: one per resource and data source, the provider page and the `Appliance` page.
`--check` exits 1 when a committed page is stale. A development tool: nothing at runtime uses it.
"""
