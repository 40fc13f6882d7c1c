"""Policy pack entry point: ``pulumi preview --policy-pack policy``.

The validators live in :mod:`emotion_dynamics_infra.guardrails` (unit-tested without the
engine); the pack runs in the project's virtualenv, where that package is installed.
"""

from __future__ import annotations

from pulumi_policy import EnforcementLevel, PolicyPack

from emotion_dynamics_infra.guardrails import POLICIES

PolicyPack(
    name="emotion-dynamics-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=list(POLICIES),
)
