"""Build tools, never shipped: the Lambda's archives and the Polly client's endpoint slice.

:mod:`.archives` builds the deterministic function zip and dependency layer (``make
artifacts``); :mod:`.endpoints` writes Polly's slice of botocore's endpoint table (``make
endpoints``). The Pulumi program only consumes the archives
(:func:`.archives.current_archives`).
"""
