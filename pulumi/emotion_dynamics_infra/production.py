"""What makes a stack a production stack, and what a production alarm recipient may not be.

Shared by the stack validation (:mod:`.stack`) and the policy pack (:mod:`.guardrails`), so
both refuse the same stacks with the same words.
"""

from __future__ import annotations

from collections.abc import Iterable
from fnmatch import fnmatchcase
from typing import Final

__all__ = [
    "PLACEHOLDER_DOMAINS",
    "PLACEHOLDER_TLDS",
    "PRODUCTION_STACKS",
    "is_production",
    "placeholder_domain",
]

#: Stack name patterns treated as production (``prod-eu`` for a second Region, ...).
PRODUCTION_STACKS: Final = ("prod", "production", "prod-*", "production-*")
#: Second-level names reserved for documentation (RFC 2606): nobody reads their mail.
PLACEHOLDER_DOMAINS: Final = frozenset({"example.com", "example.net", "example.org"})
#: Top-level names reserved for tests, examples and local use (RFC 2606, 6761, 6762).
PLACEHOLDER_TLDS: Final = frozenset({"example", "test", "invalid", "localhost", "local"})


def is_production(stack: str, patterns: Iterable[str] = PRODUCTION_STACKS) -> bool:
    """Whether ``stack`` matches one of the production name ``patterns`` (fnmatch-style)."""
    return any(fnmatchcase(stack, pattern) for pattern in patterns)


def placeholder_domain(address: str) -> str | None:
    """The reserved domain of a placeholder e-mail address, or ``None`` for a real one."""
    domain = address.rpartition("@")[2].strip().rstrip(".").lower()
    labels = domain.split(".")
    for size in range(len(labels), 0, -1):
        suffix = ".".join(labels[-size:])
        if suffix in PLACEHOLDER_DOMAINS or (size == 1 and suffix in PLACEHOLDER_TLDS):
            return suffix
    return None
