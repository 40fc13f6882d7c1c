"""In-memory TTL + LRU cache of syntheses, and the caching :class:`Synthesizer` wrapper.

One cache lives per Lambda container (module scope in the handler), so a repeated request
within the cache TTL is served without calling Polly. Keys are the SHA-256 of the
whole request (text, SSML, voice, engine, output format, sample rate): the user's text is
never kept in clear as a key (the cached audio is, of course, kept until it expires).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from emotion_dynamics.models import SynthesizedAudio
from emotion_dynamics.synthesis import RemainingMs, SynthesisRequest, Synthesizer

__all__ = ["CachingSynthesizer", "SynthesisCache", "request_key"]


def request_key(request: SynthesisRequest) -> str:
    r"""Return the hex SHA-256 of every field of ``request``.

    The fields are serialised as a JSON array (unambiguous: no two different requests share
    an encoding; lone surrogates are ``\u`` escaped), then hashed.
    """
    encoded = json.dumps(
        [
            request.text,
            request.ssml,
            request.voice_id,
            request.engine,
            request.output_format,
            request.sample_rate,
        ],
        ensure_ascii=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(encoded.encode("ascii")).hexdigest()


class SynthesisCache:
    """A time-to-live cache with least-recently-used eviction.

    Parameters
    ----------
    ttl_s : float
        Lifetime of an entry in seconds, counted from when it was stored. ``0`` caches
        nothing useful (every entry is expired when read).
    max_entries : int
        Most entries kept; storing one more drops the least recently used.
    clock : callable
        Monotonic time in seconds (injectable for tests).

    """

    def __init__(
        self, ttl_s: float, max_entries: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if ttl_s < 0:
            raise ValueError(f"ttl_s must be >= 0, given {ttl_s!r}")
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, given {max_entries!r}")
        self._ttl_s = ttl_s
        self._max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, SynthesizedAudio]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        """Return the number of entries held, expired ones not yet dropped included."""
        return len(self._entries)

    def get(self, request: SynthesisRequest) -> SynthesizedAudio | None:
        """Return the audio stored for ``request`` if it has not expired, else ``None``."""
        key = request_key(request)
        now = self._clock()
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires_at, audio = entry
            if now >= expires_at:
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return audio

    def put(self, request: SynthesisRequest, audio: SynthesizedAudio) -> None:
        """Store ``audio`` for ``request``; drops the least recently used entry when full."""
        key = request_key(request)
        expires_at = self._clock() + self._ttl_s
        with self._lock:
            self._entries[key] = (expires_at, audio)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()


class CachingSynthesizer:
    """A :class:`~emotion_dynamics.synthesis.Synthesizer` that serves repeats from a cache.

    A hit returns the stored audio with ``cached=True`` and ``attempts=0`` (no backend call
    was made). A miss calls ``inner`` and stores its result; errors are not cached.
    """

    def __init__(self, inner: Synthesizer, cache: SynthesisCache) -> None:
        self.inner = inner
        self.cache = cache

    def synthesize(
        self, request: SynthesisRequest, *, remaining_ms: RemainingMs | None = None
    ) -> SynthesizedAudio:
        """Return the cached audio for ``request``, or synthesize and cache it."""
        hit = self.cache.get(request)
        if hit is not None:
            return dataclasses.replace(hit, cached=True, attempts=0)
        audio = self.inner.synthesize(request, remaining_ms=remaining_ms)
        self.cache.put(request, dataclasses.replace(audio, cached=False))
        return audio
