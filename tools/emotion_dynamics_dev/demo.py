"""The demo's source speech: five "speakers" rendered with espeak-ng, and their texts.

``python -m emotion_dynamics_dev demo`` renders them and runs the batch on them.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Final, NamedTuple

__all__ = ["DEMO_CLIPS", "DEMO_VOICE", "DemoClip", "make_demo_inputs"]


class DemoClip(NamedTuple):
    """One source clip of the demo, rendered by espeak-ng as the "speaker"."""

    name: str
    espeak_wpm: int  # espeak-ng -s (nominal; it speaks about 1.2-1.3x faster)
    amplitude: int  # espeak-ng -a, 0..200 (100 is its default)
    sentence: str  # what the speaker says
    translation: str  # the text Polly/espeak will speak (here the same English sentence)
    with_transcript: bool  # pass the sentence as source_transcript (rate from words)


DEMO_VOICE: Final = "en-gb"  # the "speaker"; the local backend answers in en-us
DEMO_CLIPS: Final = (
    DemoClip("calm_soft", 85, 25, "I will come later.", "I will come later.", False),
    DemoClip(
        "neutral",
        120,
        70,
        "The train leaves at eight tonight.",
        "The train leaves at eight tonight.",
        False,
    ),
    DemoClip(
        "excited_loud",
        175,
        190,
        "We won the game, unbelievable!",
        "We won the game, unbelievable!",
        False,
    ),
    DemoClip(
        "hurried_whisper",
        165,
        8,
        "Quick, they are coming right back.",
        "Quick, they are coming right back.",
        False,
    ),
    DemoClip(
        "excited_loud_transcript",
        175,
        190,
        "We won the game, unbelievable!",
        "We won the game, unbelievable!",
        True,
    ),
)


def make_demo_inputs(folder: Path, espeak: str = "espeak-ng") -> None:
    """Render the demo's source speech with espeak-ng (WAV + .txt + optional .transcript.txt)."""
    exe = shutil.which(espeak)
    if exe is None:
        raise SystemExit(
            "error: espeak-ng is not installed (Debian/Ubuntu: apt-get install espeak-ng)"
        )
    folder.mkdir(parents=True, exist_ok=True)
    for clip in DEMO_CLIPS:
        wav = folder / f"{clip.name}.wav"
        subprocess.run(
            [
                exe,
                "-v",
                DEMO_VOICE,
                "-s",
                str(clip.espeak_wpm),
                "-a",
                str(clip.amplitude),
                "-w",
                str(wav),
                "--stdin",
            ],
            input=clip.sentence.encode("utf-8"),
            check=True,
            timeout=30,
        )
        (folder / f"{clip.name}.txt").write_text(clip.translation + "\n", encoding="utf-8")
        transcript = folder / f"{clip.name}.transcript.txt"
        if clip.with_transcript:
            transcript.write_text(clip.sentence + "\n", encoding="utf-8")
        elif transcript.exists():
            transcript.unlink()
