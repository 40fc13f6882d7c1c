"""Unit tests of the SSML generator: escaping, injection, XML validity, engines, limits."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from emotion_dynamics.config import ENGINES
from emotion_dynamics.errors import TextTooLongError
from emotion_dynamics.models import RateClass, VolumeClass
from emotion_dynamics.ssml import (
    MAX_BILLED_CHARS,
    MAX_TOTAL_CHARS,
    build_ssml,
    plain_text_length,
    prosody_supported,
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
    assert build_ssml("Hello.", engine="neural", volume=None, rate=None) == "<speak>Hello.</speak>"


def test_prosody_attribute_order_is_volume_then_rate() -> None:
    ssml = build_ssml("Hello.", engine="neural", volume="loud", rate="x-fast")
    assert ssml == '<speak><prosody volume="loud" rate="x-fast">Hello.</prosody></speak>'


@pytest.mark.parametrize(("volume", "rate"), [("soft", None), (None, "slow")])
def test_only_given_attribute_is_emitted(volume: str | None, rate: str | None) -> None:
    prosody = parse(build_ssml("Hi.", engine="neural", volume=volume, rate=rate)).find("prosody")
    assert prosody is not None
    assert dict(prosody.attrib) == {k: v for k, v in (("volume", volume), ("rate", rate)) if v}


@pytest.mark.parametrize("engine", ENGINES)
def test_every_engine_gets_volume_and_rate_prosody(engine: str) -> None:
    # GIVEN Polly's docs: all four engines accept prosody volume and rate (generative only
    # around whole sentences, which a prosody around the whole text is)
    ssml = build_ssml("It works. Really.", engine=engine, volume="x-soft", rate="fast")
    root = parse(ssml)
    assert prosody_supported(engine)
    prosody = root.find("prosody")
    assert prosody is not None
    assert list(prosody.attrib) == ["volume", "rate"]
    assert "pitch" not in ssml
    assert spoken_text(ssml) == "It works. Really."


@pytest.mark.parametrize("volume", [v.value for v in VolumeClass])
@pytest.mark.parametrize("rate", [r.value for r in RateClass])
def test_every_model_class_value_is_accepted(volume: str, rate: str) -> None:
    parse(build_ssml("x", engine="neural", volume=volume, rate=rate))


@pytest.mark.parametrize("volume", ["+6dB", "-3dB", "+0dB", "x-loud", "silent"])
def test_other_polly_volume_values_are_accepted(volume: str) -> None:
    parse(build_ssml("x", engine="standard", volume=volume, rate=None))


@pytest.mark.parametrize("rate", ["20%", "85%", "200%"])
def test_rate_percentages_are_accepted(rate: str) -> None:
    parse(build_ssml("x", engine="standard", volume=None, rate=rate))


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
        build_ssml("x", engine="neural", volume=volume, rate=rate)


def test_unknown_engine_is_rejected() -> None:
    with pytest.raises(ValueError, match="engine"):
        build_ssml("x", engine="turbo", volume=None, rate=None)


# --- escaping and injection ------------------------------------------------------------


def test_reserved_characters_are_escaped() -> None:
    ssml = build_ssml(
        """Tom & Jerry <3 "quotes" 'apos' a>b""", engine="neural", volume=None, rate=None
    )
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
@pytest.mark.parametrize("engine", ENGINES)
def test_injection_ends_up_as_text(text: str, engine: str) -> None:
    ssml = build_ssml(text, engine=engine, volume="loud", rate="slow")
    root = parse(ssml)
    assert len(list(root.iter())) == 2  # speak + prosody, nothing else
    assert spoken_text(ssml) == text


def test_carriage_return_survives_xml_line_end_normalisation() -> None:
    text = "one\r\ntwo\rthree\tfour\n"
    assert spoken_text(build_ssml(text, engine="neural", volume=None, rate=None)) == text


@pytest.mark.parametrize(
    "bad", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\ud800", "\udfff", "\ufffe", "\uffff"]
)
def test_characters_xml_forbids_are_dropped(bad: str) -> None:
    ssml = build_ssml(f"a{bad}b", engine="neural", volume="soft", rate=None)
    assert spoken_text(ssml) == "ab"
    assert strip_invalid_xml_chars(f"a{bad}b") == "ab"


def test_allowed_unusual_characters_are_kept() -> None:
    text = "emoji 😀👩‍👩‍👧 naïve 日本語 \u0085\u00a0\ue000\ufffd\U0010ffff"
    assert spoken_text(build_ssml(text, engine="generative", volume=None, rate="fast")) == text


# --- length limits ------------------------------------------------------------------------


def test_text_at_the_billed_limit_is_accepted() -> None:
    ssml = build_ssml("a" * MAX_BILLED_CHARS, engine="neural", volume="loud", rate="fast")
    assert plain_text_length("a" * MAX_BILLED_CHARS) == MAX_BILLED_CHARS
    assert len(ssml) <= MAX_TOTAL_CHARS


def test_text_over_the_billed_limit_is_rejected_without_quoting_it() -> None:
    with pytest.raises(TextTooLongError) as caught:
        build_ssml("secret " * 500, engine="neural", volume=None, rate=None)
    assert caught.value.field == "text"
    assert "3500 characters" in caught.value.message
    assert "3000 billed characters" in caught.value.message
    assert "secret" not in str(caught.value)


def test_escaping_that_overflows_the_total_limit_is_rejected() -> None:
    # 1,500 "&" are 1,500 billed characters but 7,500 characters once escaped
    with pytest.raises(TextTooLongError, match="6000") as caught:
        build_ssml("&" * 1500, engine="neural", volume=None, rate=None)
    assert "&" not in caught.value.message.replace("&amp;", "")


def test_dropped_characters_do_not_count() -> None:
    text = "a" * MAX_BILLED_CHARS + "\x00" * 10
    assert plain_text_length(text) == MAX_BILLED_CHARS
    build_ssml(text, engine="neural", volume=None, rate=None)


# --- properties ---------------------------------------------------------------------------


@given(
    text=st.text(),
    engine=st.sampled_from(ENGINES),
    volume=st.sampled_from([None, *[v.value for v in VolumeClass]]),
    rate=st.sampled_from([None, *[r.value for r in RateClass]]),
)
def test_output_always_parses_and_round_trips(
    text: str, engine: str, volume: str | None, rate: str | None
) -> None:
    ssml = build_ssml(text, engine=engine, volume=volume, rate=rate)
    assert spoken_text(ssml) == INVALID_XML.sub("", text)


@given(text=st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_round_trip_with_surrogates_and_controls(text: str) -> None:
    ssml = build_ssml(text, engine="neural", volume="loud", rate=None)
    assert spoken_text(ssml) == INVALID_XML.sub("", text)
