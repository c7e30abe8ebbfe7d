"""Fault rules: scripted misbehaviour of the sandbox's NetSuite API paths.

A rule is parsed from a JSON object, for example::

    {"path": "/services/rest/query", "method": "POST", "kind": "status", "status": 503, "count": 3}

Kinds:

- ``status``: answer ``status`` with NetSuite's error body (500 ``UNEXPECTED_ERROR`` by default);
- ``throttle``: answer the concurrency-limit error although the limit is not reached;
- ``delay``: hold the call ``delay_ms`` longer, then process it normally;
- ``drop``: close the connection before processing, so the client sees a transport error;
- ``lose_response``: process the call (a record really is created), then close the connection so
  the client never learns the outcome;
- ``token_invalid``: answer 401 as if the access token had expired.

A rule matches by path prefix (in any case) and (optionally) method. How often a matching call is
hit is set by at most one of ``count`` (the first N matches, then the rule is spent), ``every`` (every Nth
match) or ``probability`` (drawn from the sandbox's seeded RNG); with none of them every match is hit.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

FaultKind = Literal["status", "throttle", "delay", "drop", "lose_response", "token_invalid"]
KINDS: tuple[str, ...] = get_args(FaultKind)
_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_FIELDS = {"path", "method", "kind", "status", "code", "detail", "delay_ms", "count", "every", "probability"}


class FaultRuleError(ValueError):
    """A fault rule is malformed; the message says which field and why."""


@dataclass(slots=True)
class FaultRule:
    kind: FaultKind
    path: str = "/"
    method: str | None = None
    status: int = 500
    code: str | None = None
    detail: str | None = None
    delay_ms: float = 0.0
    count: int | None = None
    every: int | None = None
    probability: float | None = None
    # Runtime bookkeeping: calls that matched the rule, and calls the rule was applied to.
    matched: int = field(default=0, compare=False)
    fired: int = field(default=0, compare=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultRule:
        if not isinstance(data, Mapping):
            raise FaultRuleError("a fault rule must be a JSON object")
        unknown = sorted(set(data) - _FIELDS)
        if unknown:
            raise FaultRuleError(f"unknown fault rule field(s): {', '.join(unknown)}")
        kind = data.get("kind", "status")
        if kind not in KINDS:
            raise FaultRuleError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
        path = data.get("path", "/")
        if not isinstance(path, str) or not path.startswith("/"):
            raise FaultRuleError("path must be a string starting with '/'")
        method = data.get("method")
        if method is not None:
            if not isinstance(method, str) or method.upper() not in _METHODS:
                raise FaultRuleError(f"method must be one of {', '.join(_METHODS)}")
            method = method.upper()
        status = _integer(data, "status", 500, minimum=400)
        if status > 599:
            raise FaultRuleError("status must be a 4xx or 5xx code")
        limits = [name for name in ("count", "every", "probability") if data.get(name) is not None]
        if len(limits) > 1:
            raise FaultRuleError("use at most one of count, every and probability")
        probability = data.get("probability")
        if probability is not None:
            if isinstance(probability, bool) or not isinstance(probability, int | float):
                raise FaultRuleError("probability must be a number")
            if not 0.0 <= probability <= 1.0:
                raise FaultRuleError("probability must be between 0 and 1")
        delay = data.get("delay_ms", 0.0)
        if isinstance(delay, bool) or not isinstance(delay, int | float) or delay < 0:
            raise FaultRuleError("delay_ms must be a non-negative number")
        if kind == "delay" and not delay:
            raise FaultRuleError("a delay rule needs delay_ms")
        return cls(
            kind=kind,
            path=path,
            method=method,
            status=status,
            code=_text(data, "code"),
            detail=_text(data, "detail"),
            delay_ms=float(delay),
            count=_integer(data, "count", None, minimum=1),
            every=_integer(data, "every", None, minimum=1),
            probability=None if probability is None else float(probability),
        )

    @property
    def spent(self) -> bool:
        return self.count is not None and self.fired >= self.count

    def matches(self, method: str, path: str) -> bool:
        # NetSuite takes record types in any case, so a rule for ``supportcase`` meets ``supportCase``.
        return path.lower().startswith(self.path.lower()) and (self.method is None or self.method == method)

    def hit(self, rng: random.Random) -> bool:
        """Record a matching call and say whether the rule applies to it."""
        if self.spent:
            return False
        self.matched += 1
        if self.every is not None:
            applies = self.matched % self.every == 0
        elif self.probability is not None:
            applies = rng.random() < self.probability
        else:
            applies = True
        if applies:
            self.fired += 1
        return applies

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "path": self.path}
        optional = {
            "method": self.method,
            "code": self.code,
            "detail": self.detail,
            "count": self.count,
            "every": self.every,
            "probability": self.probability,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        if self.kind == "status":
            data["status"] = self.status
        if self.delay_ms:
            data["delay_ms"] = self.delay_ms
        data.update(matched=self.matched, fired=self.fired, spent=self.spent)
        return data


def parse_rules(data: Iterable[Mapping[str, Any]] | Mapping[str, Any]) -> list[FaultRule]:
    """Rules from a JSON list (or one object, or ``{"rules": [...]}``); raises FaultRuleError."""
    if isinstance(data, Mapping):
        data = data["rules"] if set(data) == {"rules"} else [data]
    if isinstance(data, str | bytes) or not isinstance(data, Iterable):
        raise FaultRuleError("fault rules must be a JSON list of objects")
    rules = []
    for index, item in enumerate(data):
        try:
            rules.append(FaultRule.from_dict(item))
        except FaultRuleError as error:
            raise FaultRuleError(f"rule {index}: {error}") from None
    return rules


def pick_fault(rules: Iterable[FaultRule], method: str, path: str, rng: random.Random) -> FaultRule | None:
    """The first rule that matches the call and applies to it, if any.

    Every matching rule sees the call (so that ``every`` counts all matches) until one applies.
    """
    for rule in rules:
        if rule.matches(method, path) and rule.hit(rng):
            return rule
    return None


def _integer(data: Mapping[str, Any], name: str, default: int | None, *, minimum: int) -> Any:
    value = data.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise FaultRuleError(f"{name} must be an integer of at least {minimum}")
    return value


def _text(data: Mapping[str, Any], name: str) -> str | None:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise FaultRuleError(f"{name} must be a string")
    return value


__all__ = ["KINDS", "FaultKind", "FaultRule", "FaultRuleError", "parse_rules", "pick_fault"]
