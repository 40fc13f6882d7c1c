"""Policy pack entry point: ``pulumi preview --policy-pack policy``.

The validators live in :mod:`guardrails` so they can be unit-tested without the engine.
"""

from __future__ import annotations

# The engine runs the pack with policy/ on sys.path; mypy resolves it as policy.guardrails.
from guardrails import POLICIES  # type: ignore[import-not-found,unused-ignore]
from pulumi_policy import EnforcementLevel, PolicyPack

PolicyPack(
    name="emotion-dynamics-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=list(POLICIES),
)
