"""Build tool: the Lambda's deterministic function zip and dependency layer (``make artifacts``).

Not part of the deployed code and not part of the Pulumi program, which only consumes the
archives (:func:`current_archives`).
"""

from emotion_dynamics_build.archives import (
    DIRECT_UPLOAD_LIMIT_BYTES,
    FUNCTION_MEMBERS,
    UNZIPPED_LIMIT_BYTES,
    ArchiveSizes,
    LayerBuildError,
    archive_sizes,
    build_function_zip,
    build_layer,
    build_local_layer,
    current_archives,
    function_archive,
    layer_archive,
    layer_requirements,
    platform_tags,
)

__all__ = [
    "DIRECT_UPLOAD_LIMIT_BYTES",
    "FUNCTION_MEMBERS",
    "UNZIPPED_LIMIT_BYTES",
    "ArchiveSizes",
    "LayerBuildError",
    "archive_sizes",
    "build_function_zip",
    "build_layer",
    "build_local_layer",
    "current_archives",
    "function_archive",
    "layer_archive",
    "layer_requirements",
    "platform_tags",
]
