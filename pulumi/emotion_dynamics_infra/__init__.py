"""The Pulumi program's modules: stack settings, IAM, function, monitoring, policy checks.

``pulumi/__main__.py`` runs :func:`emotion_dynamics_infra.program.main`; ``policy/`` runs
the validators of :mod:`emotion_dynamics_infra.guardrails`. Everything derives its keys and
metric names from :mod:`emotion_dynamics.contract`.
"""
