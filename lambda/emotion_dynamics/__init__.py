"""Emotion Dynamics: carry a speaker's loudness and speaking rate into Polly SSML prosody.

The pipeline of one request: :mod:`~emotion_dynamics.event` (validate, decode audio) ->
:mod:`~emotion_dynamics.detectors` (volume, rate) -> :mod:`~emotion_dynamics.orchestrator`
(confidence gate) -> :mod:`~emotion_dynamics.ssml` -> :mod:`~emotion_dynamics.polly` ->
:mod:`~emotion_dynamics.response`. ``handler.py`` at the code root wires it for Lambda,
:mod:`~emotion_dynamics.cli` for the command line.
"""
