"""The provider's engines by Terraform type name, each made on its first use.

Terraform starts the provider three times per plan and calls GetProviderSchema (which needs every
type) in only the first: the validate and plan walks touch the types in the configuration, so an
engine (its attributes, cty type and catalog walks) is built only when a call names its type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, MutableMapping
from typing import Generic, TypeVar

E = TypeVar("E")


class Engines(MutableMapping[str, E], Generic[E]):
    """Type name -> engine; `make[name]()` builds one on first access. Every name is known from the
    start (iteration, `in`, `len` build nothing). Threads that race on a first access all get the
    engine stored first (`dict.setdefault` is atomic), so an engine's own state is never split."""

    def __init__(self, make: dict[str, Callable[[], E]]) -> None:
        self._make = make
        self._built: dict[str, E] = {}

    def __getitem__(self, name: str) -> E:
        engine = self._built.get(name)
        if engine is None:
            engine = self._built.setdefault(name, self._make[name]())  # KeyError for an unknown type
        return engine

    def __setitem__(self, name: str, engine: E) -> None:
        self._built[name] = engine
        self._make.setdefault(name, lambda: self._built[name])

    def __delitem__(self, name: str) -> None:
        del self._make[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._make)

    def __len__(self) -> int:
        return len(self._make)

    def __contains__(self, name: object) -> bool:
        return name in self._make

    @property
    def built(self) -> frozenset[str]:
        """The names whose engine has been made so far."""
        return frozenset(self._built)
