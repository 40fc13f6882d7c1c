"""Emotion Dynamics on AWS Lambda: the Pulumi program (``main: pulumi/`` in Pulumi.yaml).

The program's modules are the installed package :mod:`emotion_dynamics_infra` (this folder
has no ``__init__.py``: it would shadow the ``pulumi`` SDK).
"""

from emotion_dynamics_infra.program import main

main()
