"""SSML for Amazon Polly: the text, escaped, inside ``<speak>`` and at most one ``<prosody>``.

The only place where markup is written. Every engine takes ``<prosody>`` with ``volume``
and ``rate`` around whole sentences, which a prosody around the whole text is; what each
engine supports, and why, is in ``docs/design/ssml.md``. The text's length is validated
at the event boundary (:data:`MAX_BILLED_CHARS`, :func:`ssml_length`), so building the
document cannot fail.
"""

from __future__ import annotations

import re
from typing import Final
from xml.sax.saxutils import escape, quoteattr

__all__ = [
    "MAX_BILLED_CHARS",
    "MAX_TOTAL_CHARS",
    "RATE_KEYWORDS",
    "VOLUME_KEYWORDS",
    "build_ssml",
    "ssml_length",
    "strip_invalid_xml_chars",
]

#: Polly's limit on billed characters (the text without tags) per request.
MAX_BILLED_CHARS: Final = 3000
#: Polly's limit on all characters of the request's Text, tags included.
MAX_TOTAL_CHARS: Final = 6000

#: Polly's ``<prosody volume>`` keywords; a signed dB offset such as ``+6dB`` is also valid.
VOLUME_KEYWORDS: Final = frozenset(
    {"default", "silent", "x-soft", "soft", "medium", "loud", "x-loud"}
)
#: Polly's ``<prosody rate>`` keywords; a percentage from 20% to 200% is also valid.
RATE_KEYWORDS: Final = frozenset({"x-slow", "slow", "medium", "fast", "x-fast"})
_VOLUME_DB: Final = re.compile(r"[+-]\d{1,3}(?:\.\d{1,3})?dB")
_RATE_PERCENT: Final = re.compile(r"(\d{1,3})%")
_RATE_PERCENT_RANGE: Final = (20, 200)
#: The most markup :func:`build_ssml` adds around the escaped text: every attribute, each at
#: its longest value (``+999.999dB``, ``x-slow``, ``600000ms``).
MAX_MARKUP_CHARS: Final = (
    len('<speak><prosody volume="" rate="" amazon:max-duration=""></prosody></speak>') + 24
)

#: Everything XML 1.0 does not allow in a document (section 2.2, production [2] "Char"): the
#: complement of its ranges, spelled out (6 ms less to compile at cold start than the negation).
_INVALID_XML_CHARS: Final = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ENTITIES: Final = {'"': "&quot;", "'": "&apos;", "\r": "&#13;"}


def strip_invalid_xml_chars(text: str) -> str:
    """Return ``text`` without the characters XML 1.0 forbids.

    Those are the C0 controls other than tab, LF and CR, lone surrogates, U+FFFE and U+FFFF.
    """
    return _INVALID_XML_CHARS.sub("", text)


def _escaped(text: str) -> str:
    return escape(strip_invalid_xml_chars(text), _ENTITIES)


def ssml_length(text: str) -> int:
    """The longest SSML :func:`build_ssml` can make of ``text`` (for the boundary's check)."""
    return len(_escaped(text)) + MAX_MARKUP_CHARS


def _check_prosody(volume: str | None, rate: str | None) -> None:
    """Guard the markup against a value Polly would refuse (the values are the code's own)."""
    if volume is not None and volume not in VOLUME_KEYWORDS and not _VOLUME_DB.fullmatch(volume):
        raise ValueError(
            f"volume must be one of {', '.join(sorted(VOLUME_KEYWORDS))} or a signed dB "
            f"offset such as +6dB, given {volume!r}"
        )
    if rate is not None and rate not in RATE_KEYWORDS:
        match = _RATE_PERCENT.fullmatch(rate)
        low, high = _RATE_PERCENT_RANGE
        if match is None or not low <= int(match.group(1)) <= high:
            raise ValueError(
                f"rate must be one of {', '.join(sorted(RATE_KEYWORDS))} or a percentage from "
                f"{low}% to {high}%, given {rate!r}"
            )


def build_ssml(
    text: str, *, volume: str | None, rate: str | None, max_duration_ms: int | None = None
) -> str:
    """Build the SSML document Polly receives for ``text``.

    Parameters
    ----------
    text : str
        The plain (unescaped) text to speak, already validated at the boundary.
    volume, rate : str or None
        ``<prosody>`` values (Polly keywords, ``+N.NdB``, ``N%``); ``None`` leaves the
        attribute out, and all ``None`` leaves ``<prosody>`` out.
    max_duration_ms : int or None
        Polly's ``amazon:max-duration`` (standard engine only: the caller decides).

    Returns
    -------
    str
        A well-formed ``<speak>`` document whose only elements are ``<speak>`` and, when a
        value is given, one ``<prosody>`` around the whole text (attributes in the order
        volume, rate, amazon:max-duration).

    Raises
    ------
    ValueError
        A volume or rate Polly does not accept (a bug in the caller, not bad input).

    Examples
    --------
    >>> build_ssml("Fish & chips", volume="loud", rate=None)
    '<speak><prosody volume="loud">Fish &amp; chips</prosody></speak>'

    """
    _check_prosody(volume, rate)
    body = _escaped(text)
    duration = None if max_duration_ms is None else f"{int(max_duration_ms)}ms"
    attributes = [
        f"{name}={quoteattr(value)}"
        for name, value in (("volume", volume), ("rate", rate), ("amazon:max-duration", duration))
        if value is not None
    ]
    if attributes:
        return f"<speak><prosody {' '.join(attributes)}>{body}</prosody></speak>"
    return f"<speak>{body}</speak>"
