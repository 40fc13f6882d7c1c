"""Development tools, never shipped in the function zip.

- :mod:`.cli`: ``python -m emotion_dynamics_dev process|batch|demo|events``, the Lambda's
  pipeline on local files and event files, with :mod:`.jobs` (inputs, unique result names,
  outputs checked before a run), :mod:`.table` (the result table, JSON/CSV) and
  :mod:`.events` (answers compared with ``expected.json``);
- :mod:`.demo`: the demo's source speech;
- :mod:`.espeak`: the espeak-ng synthesis backend (no AWS); :mod:`.backends` picks it or Polly;
- :mod:`.stack_env`: a command run with the environment a stack would deploy;
- :mod:`.contract_docs`: ``Pulumi.yaml``'s config schema and the README's tables, generated
  from :mod:`emotion_dynamics.contract`;
- :mod:`.smoke`: ``make smoke STACK=dev``, the deployed stack's alias invoked with the sample
  events;
- :mod:`.workflow_lint`: actionlint and zizmor over ``.github/workflows`` (``make lint``).
"""
