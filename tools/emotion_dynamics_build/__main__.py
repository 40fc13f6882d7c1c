"""``python -m emotion_dynamics_build``: build (or reuse) both archives and print their sizes."""

import sys

from emotion_dynamics_build.archives import main

sys.exit(main())
