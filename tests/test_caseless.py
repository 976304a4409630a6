"""CaselessPattern finds exactly what re.IGNORECASE finds, on any text."""

import re

import pytest

from geo.caseless import CaselessPattern

SOURCES = [
    r"\b(?:smuggl\w*|seiz(?:e|ed|ing)|MDL|crossed into South Korea)",
    r"\b(?:left (?-i:[A-Z])['’-]+|roll(?:ing|ed))",
    r"\b(?:I (?:walked|ran)|ID checks)\b",
    r"(?<!anti-)\bsmuggl\w*\s+\S+",
]
TEXTS = [
    "Smugglers SEIZED near the mdl; smuggling went on and they crossed into SOUTH KOREA.",
    "The train rolled out; it left Sinŭiju-bound cargo and left x-ray machines behind.",
    "“I walked,” she said. I ran. Id checks, ID CHECKS and iD checks.",
    "anti-smuggling police; smuggling ’cigarettes’ — smugglingİ İstanbul smuggled ſeized",
    "Kelvin K sign: SMUGGLED Seızed seİzed ſmuggled",
    "Seızed goods were ſmuggled; the Kelvin sign K stays.",
    "",
]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("text", TEXTS)
def test_matches_are_those_of_ignorecase(source, text):
    expected = [(m.span(), m.group()) for m in re.finditer(source, text, re.IGNORECASE)]
    got = [(m.span(), m.group()) for m in CaselessPattern(source).finditer(text)]
    assert got == expected


def test_search_returns_the_first_match_with_original_case():
    match = CaselessPattern(r"\bseiz\w+").search("Police SEIZED coal, then seized more.")
    assert (match.start(), match.group()) == (7, "SEIZED")
    assert CaselessPattern(r"\bseiz\w+").search("Police watched the bridge.") is None


def test_inline_case_sensitive_group_keeps_its_meaning():
    cue = CaselessPattern(r"\bleft (?-i:[A-Z])\w+")
    assert [m.group() for m in cue.finditer("It left Dandong and left early.")] == ["left Dandong"]


def test_scan_from_a_position_keeps_word_boundaries_of_the_whole_text():
    cue = CaselessPattern(r"\bseiz\w+")
    text = "Guards SEIZED coal; unseized crates, then seized more."
    got = [m.span() for m in cue.finditer(text, 9)]
    assert got == [m.span() for m in re.compile(r"\bseiz\w+", re.I).finditer(text, 9)]
    assert [text[a:b] for a, b in got] == ["seized"]
