"""Unit tests of the SSML generator: escaping, injection, XML validity, limits.

The length limits themselves are enforced at the event boundary (tests/unit/test_event.py).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emotion_dynamics.models import RateClass, VolumeClass
from emotion_dynamics.ssml import (
    MAX_BILLED_CHARS,
    MAX_TOTAL_CHARS,
    build_ssml,
    ssml_length,
    strip_invalid_xml_chars,
)

ALLOWED_TAGS = {"speak", "prosody"}
INVALID_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def parse(ssml: str) -> ET.Element:
    root = ET.fromstring(ssml)
    assert root.tag == "speak"
    assert {element.tag for element in root.iter()} <= ALLOWED_TAGS
    return root


def spoken_text(ssml: str) -> str:
    return "".join(parse(ssml).itertext())


# --- structure --------------------------------------------------------------------------


def test_no_prosody_when_volume_and_rate_are_none() -> None:
    assert build_ssml("Hello.", volume=None, rate=None) == "<speak>Hello.</speak>"


def test_prosody_attribute_order_is_volume_then_rate() -> None:
    ssml = build_ssml("Hello.", volume="loud", rate="x-fast")
    assert ssml == '<speak><prosody volume="loud" rate="x-fast">Hello.</prosody></speak>'


@pytest.mark.parametrize(("volume", "rate"), [("soft", None), (None, "slow")])
def test_only_given_attribute_is_emitted(volume: str | None, rate: str | None) -> None:
    prosody = parse(build_ssml("Hi.", volume=volume, rate=rate)).find("prosody")
    assert prosody is not None
    assert dict(prosody.attrib) == {k: v for k, v in (("volume", volume), ("rate", rate)) if v}


def test_prosody_spans_every_sentence() -> None:
    # GIVEN Polly's docs: all four engines accept prosody volume and rate (generative only
    # around whole sentences, which a prosody around the whole text is)
    ssml = build_ssml("It works. Really.", volume="x-soft", rate="fast")
    root = parse(ssml)
    prosody = root.find("prosody")
    assert prosody is not None
    assert list(prosody.attrib) == ["volume", "rate"]
    assert "pitch" not in ssml
    assert spoken_text(ssml) == "It works. Really."


@pytest.mark.parametrize("volume", [v.value for v in VolumeClass])
@pytest.mark.parametrize("rate", [r.value for r in RateClass])
def test_every_model_class_value_is_accepted(volume: str, rate: str) -> None:
    parse(build_ssml("x", volume=volume, rate=rate))


@pytest.mark.parametrize("volume", ["+6dB", "-3dB", "+0dB", "x-loud", "silent"])
def test_other_polly_volume_values_are_accepted(volume: str) -> None:
    parse(build_ssml("x", volume=volume, rate=None))


@pytest.mark.parametrize("rate", ["20%", "85%", "200%"])
def test_rate_percentages_are_accepted(rate: str) -> None:
    parse(build_ssml("x", volume=None, rate=rate))


@pytest.mark.parametrize(
    ("volume", "rate"),
    [
        ('loud" pitch="x-high', None),
        ("louder", None),
        ("6dB", None),
        (None, "10%"),
        (None, "250%"),
        (None, "x-fast><audio src='x'/>"),
    ],
)
def test_bad_prosody_values_are_rejected(volume: str | None, rate: str | None) -> None:
    with pytest.raises(ValueError, match="given"):
        build_ssml("x", volume=volume, rate=rate)


# --- escaping and injection ------------------------------------------------------------


def test_reserved_characters_are_escaped() -> None:
    ssml = build_ssml("""Tom & Jerry <3 "quotes" 'apos' a>b""", volume=None, rate=None)
    assert ssml == (
        "<speak>Tom &amp; Jerry &lt;3 &quot;quotes&quot; &apos;apos&apos; a&gt;b</speak>"
    )
    assert spoken_text(ssml) == """Tom & Jerry <3 "quotes" 'apos' a>b"""


@pytest.mark.parametrize(
    "text",
    [
        '</prosody><audio src="x"/>',
        "<speak>nested</speak>",
        "]]>",
        "<![CDATA[x]]>",
        '<prosody pitch="x-high">',
        "&amp; already escaped",
        "&#x3C;speak&#x3E;",
        '<?xml version="1.0"?>',
        "<!-- comment -->",
        '<!DOCTYPE speak [<!ENTITY x "y">]>&x;',
        "<amazon:effect name='whispered'>psst</amazon:effect>",
    ],
)
def test_injection_ends_up_as_text(text: str) -> None:
    ssml = build_ssml(text, volume="loud", rate="slow")
    root = parse(ssml)
    assert len(list(root.iter())) == 2  # speak + prosody, nothing else
    assert spoken_text(ssml) == text


def test_carriage_return_survives_xml_line_end_normalisation() -> None:
    text = "one\r\ntwo\rthree\tfour\n"
    assert spoken_text(build_ssml(text, volume=None, rate=None)) == text


@pytest.mark.parametrize(
    "bad", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ud800", "\udfff", "\ufffe", "\uffff"]
)
def test_characters_xml_forbids_are_dropped(bad: str) -> None:
    ssml = build_ssml(f"a{bad}b", volume="soft", rate=None)
    assert spoken_text(ssml) == "ab"
    assert strip_invalid_xml_chars(f"a{bad}b") == "ab"


def test_allowed_unusual_characters_are_kept() -> None:
    text = "emoji 😀👩‍👩‍👧 naïve 日本語 \u0085\u00a0\ue000\ufffd\U0010ffff"
    assert spoken_text(build_ssml(text, volume=None, rate="fast")) == text


# --- length ---------------------------------------------------------------------------


def test_ssml_length_bounds_the_document() -> None:
    for text, volume, rate in (
        ("a" * MAX_BILLED_CHARS, "loud", "fast"),
        ("&" * 1000, "x-soft", "x-slow"),
        ("\x00" * 10 + "b", "-12.5dB", "135%"),
    ):
        assert len(build_ssml(text, volume=volume, rate=rate)) <= ssml_length(text)


def test_escaping_counts_towards_the_total() -> None:
    # 1,500 "&" are 1,500 billed characters but 7,500 characters once escaped
    assert ssml_length("&" * 1500) > MAX_TOTAL_CHARS >= ssml_length("a" * MAX_BILLED_CHARS)


# --- properties ---------------------------------------------------------------------------


@given(
    text=st.text(),
    volume=st.sampled_from([None, *[v.value for v in VolumeClass]]),
    rate=st.sampled_from([None, *[r.value for r in RateClass]]),
)
def test_output_always_parses_and_round_trips(
    text: str, volume: str | None, rate: str | None
) -> None:
    ssml = build_ssml(text, volume=volume, rate=rate)
    assert spoken_text(ssml) == INVALID_XML.sub("", text)


@given(text=st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_round_trip_with_surrogates_and_controls(text: str) -> None:
    ssml = build_ssml(text, volume="loud", rate=None)
    assert spoken_text(ssml) == INVALID_XML.sub("", text)
