"""Emotion Dynamics: carry a speaker's loudness and speaking rate into Polly SSML prosody.

The runtime package (the function zip holds it and ``handler.py``, nothing else). One
request: :mod:`~emotion_dynamics.event` (validate, decode audio) ->
:mod:`~emotion_dynamics.detectors` (volume, rate) -> :mod:`~emotion_dynamics.orchestrator`
(confidence gate) -> :mod:`~emotion_dynamics.ssml` -> :mod:`~emotion_dynamics.polly` ->
:mod:`~emotion_dynamics.response`. Every setting and metric name is declared once in
:mod:`~emotion_dynamics.contract`; ``handler.py`` at the code root wires the pipeline.
"""
