"""Calibration of the detectors' class thresholds on labelled audio.

Modules, one job each:

- :mod:`calibration.manifest`: the manifest format of every corpus (schema, I/O, validation,
  reference measurements, label rules);
- :mod:`calibration.generator`: the seeded espeak-ng/flite corpus generator;
- :mod:`calibration.features`: the production detectors' features, in parallel;
- :mod:`calibration.fit`: ordered-threshold fitting by balanced agreement, and agreement scores;
- :mod:`calibration.pipeline`: fit both dimensions and score before/after, overall and per corpus;
- :mod:`calibration.stackfile`: round-trip edits of the thresholds in ``Pulumi.<stack>.yaml``;
- :mod:`calibration.degrade`: seeded degraded copies of speech clips (noise, talker, codecs);
- :mod:`calibration.rate_model`: the acoustic rate's structure, scale and confidence fit, with
  leave-one-talker-out figures (``python -m calibration.rate_model``);
  :mod:`calibration.rate_report` renders them as ``docs/design/rate-confidence.md``;
- :mod:`calibration.tuning`: the tuning notebook's state (clips + slider settings -> classes,
  shares, nearest clips, confusion, the gate's trade-off, the proposal, the write-back);
- :mod:`calibration.plots`, :mod:`calibration.widgets`: its figures and ipywidgets;
- :mod:`calibration.preview`: the tuned settings spoken through the App (espeak-ng or Polly);
- :mod:`calibration.labelling`: labels given by ear, saved as a manifest;
- :mod:`calibration.cli`: ``python -m calibration ...``.
"""
