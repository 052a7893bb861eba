"""What a resource's apply hands to the coordinator: its writes (`Step`) as one `Change`."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Method = Literal["POST", "PUT", "DELETE"]


@dataclass(frozen=True)
class Step:
    """One request of a change. `body` may be a function of the results of the earlier steps
    (e.g. an LDAP server that references the password object created just before it).
    `merge(body, current)` gives the body to send from the object as the transaction holds it
    just before the write (a PUT keeps the fields the catalog does not model). `on_result` hears
    the step's answer as soon as it is in the transaction, before any change of the group is
    answered (a POST's new key: claimed before another resource could adopt it)."""

    method: Method
    path: str
    body: Any = field(default=None, repr=False)  # may hold a secret (a password object's value)
    merge: Callable[[Any, Any], Any] | None = field(default=None, repr=False, compare=False)
    on_result: Callable[[Any], None] | None = field(default=None, repr=False, compare=False)

    def body_for(self, results: list[Any]) -> Any:
        return self.body(results) if callable(self.body) else self.body

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class Change:
    """The writes of one resource, waiting for the commit that makes them durable. The result
    is the last step's (a POST's is the new key); `partial` marks a change that failed but may
    have left writes in the transaction (an earlier step, or a write whose answer never came),
    which taints the transaction."""

    steps: list[Step]
    results: list[Any] = field(default_factory=list)
    error: BaseException | None = None
    partial: bool = False
    replays: int = 0  # times sent again after its answer was lost and the transaction reverted
    done: threading.Event = field(default_factory=threading.Event)

    @property
    def result(self) -> Any:
        return self.results[-1] if self.results else None

    @property
    def is_delete(self) -> bool:
        return all(s.method == "DELETE" for s in self.steps)

    def __str__(self) -> str:
        return ", ".join(map(str, self.steps))
