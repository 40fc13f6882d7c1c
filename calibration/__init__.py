"""Calibration of the detectors' class thresholds on labelled audio.

Modules, one job each:

- :mod:`calibration.manifest`: the manifest format of every corpus (schema, I/O, validation,
  reference measurements, label rules);
- :mod:`calibration.generator`: the seeded espeak-ng/flite corpus generator;
- :mod:`calibration.features`: the production detectors' features, in parallel;
- :mod:`calibration.fit`: ordered-threshold fitting by balanced agreement, and agreement scores;
- :mod:`calibration.pipeline`: fit both dimensions and score before/after, overall and per corpus;
- :mod:`calibration.stackfile`: round-trip edits of the thresholds in ``Pulumi.<stack>.yaml``;
- :mod:`calibration.cli`: ``python -m calibration ...``.
"""
