"""The SPS catalog: one declarative definition per SPS configuration type.

Everything else (provider schema, simulator validation and built-ins, constructs, docs) is
driven by it. `load_catalog()` is the runtime entry point; it reads the pre-compiled `_data`
module so that the provider starts without parsing YAML.
"""

from sps_catalog.load import load_catalog
from sps_catalog.model import Catalog, Field, TypeDef, Union, Value

__all__ = ["Catalog", "Field", "TypeDef", "Union", "Value", "load_catalog"]
