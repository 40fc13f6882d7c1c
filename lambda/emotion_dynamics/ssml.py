"""SSML for Amazon Polly: the text, escaped, inside ``<speak>`` and at most one ``<prosody>``.

The generator is the only place where markup is written. It emits exactly two elements,
``<speak>`` (always the root) and ``<prosody>`` (only when a volume or rate is given); the
text is escaped, so anything in it that looks like markup (``</prosody>``, ``<audio .../>``,
``<speak>``, ``]]>``) is spoken as text, never interpreted.

What each engine gets
---------------------
Sources: Amazon Polly Developer Guide, "Supported SSML tags"
(https://docs.aws.amazon.com/polly/latest/dg/supportedtags.html: ``<prosody>`` has "partial
availability" for neural, long-form and generative voices, full for standard) and
"Controlling volume, speaking rate, and pitch"
(https://docs.aws.amazon.com/polly/latest/dg/prosody-tag.html: "Generative, Neural, and
Long-Form voices support the volume and rate attributes, but don't support the pitch
attribute. For Generative voices, the prosody tag can be used only around full sentences").
An older revision of the tag table listed ``<prosody>`` as not available for generative
voices; if Polly rejects it, :mod:`emotion_dynamics.polly` retries once as plain text.

============  ===================================  ===========================================
engine        Polly's ``<prosody>`` support        what :func:`build_ssml` emits
============  ===================================  ===========================================
standard      volume, rate, pitch (full)           ``<speak><prosody volume rate>text</...>``
neural        volume and rate only                 ``<speak><prosody volume rate>text</...>``
long-form     volume and rate only                 ``<speak><prosody volume rate>text</...>``
generative    volume and rate, around full         ``<speak><prosody volume rate>text</...>``
              sentences only                       (the prosody spans the whole text, which
                                                   is whole sentences)
============  ===================================  ===========================================

With neither volume nor rate the output is ``<speak>text</speak>`` (no empty prosody), and
an attribute that is ``None`` is left out. Attribute order is fixed: volume, then rate.

Text handling
-------------
- ``& < > " '`` are escaped as the five predefined XML entities (Polly's "reserved
  characters"), and a carriage return as ``&#13;`` so that XML's line-end normalisation
  cannot turn it into a line feed.
- Characters that XML 1.0 does not allow are **dropped**: the C0 controls other than tab,
  line feed and carriage return (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F), lone
  surrogates (U+D800-U+DFFF) and the non-characters U+FFFE and U+FFFF. So the output always
  parses, and its text content is the input minus exactly those characters.

Limits
------
Polly allows 3,000 billed characters (the text; tags are not billed) and 6,000 characters
in all. :func:`build_ssml` raises :class:`~emotion_dynamics.errors.TextTooLongError` when
the text (after dropping disallowed characters) is longer than :data:`MAX_BILLED_CHARS`
or the SSML is longer than :data:`MAX_TOTAL_CHARS`. Messages give lengths, never the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final
from xml.sax.saxutils import escape, quoteattr

from emotion_dynamics.config import ENGINES
from emotion_dynamics.errors import TextTooLongError

__all__ = [
    "MAX_BILLED_CHARS",
    "MAX_TOTAL_CHARS",
    "PROSODY_ATTRIBUTES",
    "RATE_KEYWORDS",
    "VOLUME_KEYWORDS",
    "build_ssml",
    "plain_text_length",
    "prosody_supported",
    "strip_invalid_xml_chars",
]

#: Polly's limit on billed characters (the text without tags) per request.
MAX_BILLED_CHARS: Final = 3000
#: Polly's limit on all characters of the request's Text, tags included.
MAX_TOTAL_CHARS: Final = 6000

#: ``<prosody>`` attributes this generator may emit, per engine (see the table above).
PROSODY_ATTRIBUTES: Final[Mapping[str, frozenset[str]]] = {
    "standard": frozenset({"volume", "rate"}),
    "neural": frozenset({"volume", "rate"}),
    "long-form": frozenset({"volume", "rate"}),
    "generative": frozenset({"volume", "rate"}),
}

#: Polly's ``<prosody volume>`` keywords; a signed dB offset such as ``+6dB`` is also valid.
VOLUME_KEYWORDS: Final = frozenset(
    {"default", "silent", "x-soft", "soft", "medium", "loud", "x-loud"}
)
#: Polly's ``<prosody rate>`` keywords; a percentage from 20% to 200% is also valid.
RATE_KEYWORDS: Final = frozenset({"x-slow", "slow", "medium", "fast", "x-fast"})

_VOLUME_DB: Final = re.compile(r"[+-]\d{1,3}(?:\.\d{1,3})?dB")
_RATE_PERCENT: Final = re.compile(r"(\d{1,3})%")
_RATE_PERCENT_RANGE: Final = (20, 200)

#: Everything XML 1.0 does not allow in a document (section 2.2, production [2] "Char").
_INVALID_XML_CHARS: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ENTITIES: Final = {'"': "&quot;", "'": "&apos;", "\r": "&#13;"}


def strip_invalid_xml_chars(text: str) -> str:
    """Return ``text`` without the characters XML 1.0 forbids (see the module docstring)."""
    return _INVALID_XML_CHARS.sub("", text)


def plain_text_length(text: str) -> int:
    """Return the number of characters Polly bills for ``text`` once it is in the SSML.

    That is the length after :func:`strip_invalid_xml_chars`; escaping does not change the
    billed count (an entity is one character to Polly).
    """
    return len(strip_invalid_xml_chars(text))


def prosody_supported(engine: str) -> bool:
    """Return whether :func:`build_ssml` emits ``<prosody>`` for ``engine``."""
    return bool(PROSODY_ATTRIBUTES.get(engine))


def _check_volume(volume: str) -> None:
    if volume not in VOLUME_KEYWORDS and _VOLUME_DB.fullmatch(volume) is None:
        raise ValueError(
            f"volume must be one of {', '.join(sorted(VOLUME_KEYWORDS))} or a signed dB "
            f"offset such as +6dB, given {volume!r}"
        )


def _check_rate(rate: str) -> None:
    if rate in RATE_KEYWORDS:
        return
    match = _RATE_PERCENT.fullmatch(rate)
    low, high = _RATE_PERCENT_RANGE
    if match is None or not low <= int(match.group(1)) <= high:
        raise ValueError(
            f"rate must be one of {', '.join(sorted(RATE_KEYWORDS))} or a percentage from "
            f"{low}% to {high}%, given {rate!r}"
        )


def build_ssml(text: str, *, engine: str, volume: str | None, rate: str | None) -> str:
    """Build the SSML document Polly receives for ``text`` on ``engine``.

    Parameters
    ----------
    text : str
        The plain (unescaped) text to speak.
    engine : str
        Polly engine: ``standard``, ``neural``, ``long-form`` or ``generative``.
    volume, rate : str or None
        ``<prosody>`` values (Polly keywords, ``+NdB`` offsets, ``N%`` rates); ``None``
        leaves the attribute out, and both ``None`` leaves ``<prosody>`` out.

    Returns
    -------
    str
        A well-formed ``<speak>`` document whose only elements are ``<speak>`` and, when a
        value is given and the engine supports it, one ``<prosody>`` around the whole text.

    Raises
    ------
    TextTooLongError
        The text is over :data:`MAX_BILLED_CHARS` characters or the SSML over
        :data:`MAX_TOTAL_CHARS`.
    ValueError
        Unknown engine, or a volume or rate Polly does not accept.

    Examples
    --------
    >>> build_ssml("Fish & chips", engine="neural", volume="loud", rate=None)
    '<speak><prosody volume="loud">Fish &amp; chips</prosody></speak>'

    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {', '.join(ENGINES)}, given {engine!r}")
    if volume is not None:
        _check_volume(volume)
    if rate is not None:
        _check_rate(rate)

    clean = strip_invalid_xml_chars(text)
    if len(clean) > MAX_BILLED_CHARS:
        raise TextTooLongError(
            "text",
            f"{len(clean)} characters, Polly allows at most {MAX_BILLED_CHARS} billed characters",
        )
    body = escape(clean, _ENTITIES)

    allowed = PROSODY_ATTRIBUTES.get(engine, frozenset())
    attributes = [
        f"{name}={quoteattr(value)}"
        for name, value in (("volume", volume), ("rate", rate))
        if value is not None and name in allowed
    ]
    if attributes:
        ssml = f"<speak><prosody {' '.join(attributes)}>{body}</prosody></speak>"
    else:
        ssml = f"<speak>{body}</speak>"

    if len(ssml) > MAX_TOTAL_CHARS:
        raise TextTooLongError(
            "text",
            f"{len(ssml)} characters of SSML once escaped, Polly allows at most "
            f"{MAX_TOTAL_CHARS} characters in all",
        )
    return ssml
