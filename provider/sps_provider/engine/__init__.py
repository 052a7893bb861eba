"""The generic resource and data source engine: CRUD written once, driven by the catalog."""
