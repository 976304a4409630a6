"""Find place mentions in an article's sentences.

Two ways a name becomes a :class:`~geo.models.Mention`:

1. **Gazetteer phrase matching**: the longest run of tokens, starting with a capitalised word (or
   Hangul / Chinese characters), whose folded form is a gazetteer name or alias — with or without a
   trailing generic word ("Hoeryong city", "North Hamgyong province", "the Tumen river").
2. **Place-suffix rule** for names the gazetteer lacks: Korean and Chinese settlement suffixes
   (``-ri``, ``-dong``, ``-gun``, ``-up``, ``-cun``, ``-zhen``) or a following "village", "town",
   "county" ("Inge-ri town"). A following "near X" / "in X" / ", X county" records X as the
   mention's ``anchor`` so the geocoder can place it through its larger neighbour.

Bylines are never searched. A GeoNames-only match (not a curated border place or a country) must
also look like a place: not a word from ``data/gazetteer/not_places.txt`` (outlets, demonyms,
months, common words), not next to another capitalised word (person names such as "Leejin Jun"),
not after a title or "by".
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path

from . import settings
from .gazetteer import GENERIC_SUFFIXES, Gazetteer
from .gazetteer import fold as _fold
from .models import Article, Candidate, Mention

__all__ = ["not_place_words", "surnames", "toponyms_from_article", "toponyms_from_text"]

logger = logging.getLogger(__name__)

_LETTER = r"A-Za-zÀ-ÖØ-öø-ɏḀ-ỿ"
_TOKEN = re.compile(
    rf"[{_LETTER}0-9]+(?:['’ʼ](?!s\b)[{_LETTER}]+)*(?:-[{_LETTER}0-9]+(?:['’ʼ](?!s\b)[{_LETTER}]+)*)*"
    r"|[\uac00-\ud7af\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+"
    r"|\S"
)
_CJK = re.compile(r"[\uac00-\ud7af\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL_PARTICLES = (
    "에서",
    "으로",
    "에",
    "의",
    "로",
    "는",
    "은",
    "이",
    "가",
    "를",
    "을",
    "와",
    "과",
)
_SUFFIXES = "ri|ni|li|dong|gun|up|ŭp|eup|ku|cun|zhen|xiang|tun"
_SUFFIX_NAME = re.compile(rf"^[A-Z][{_LETTER}'’]+-(?:{_SUFFIXES})$")
_UNKNOWN_PLACE_NOUNS = {
    "village": "village",
    "town": "town",
    "county": "county",
    "township": "town",
}
_ANCHOR_WORDS = {"near", "outside", "in", "of", "by"}
_PERSON_CUES = {"mr", "ms", "mrs", "dr", "by", "named", "surnamed", "spokesman", "spokeswoman"}
_RIVER_FOLLOWERS = {
    "to",
    "into",
    "from",
    "in",
    "at",
    "and",
    "or",
    "near",
    "on",
    "by",
    "river",
    "which",
    "where",
    "was",
    "is",
    "between",
    "towards",
    "toward",
    "late",
    "early",
    "under",
    "with",
}
_CROSSING_WORDS = frozenset({"bridge", "crossing"})
_MAX_TOKENS = 8  # "Democratic People's Republic of Korea" is seven tokens
_DASHES = {"-", "–", "—", "‐"}
#: Words before a bare name that make it the river: "crosses Tumen into China", "the Yalu".
_RIVER_PRECEDERS = {
    "the",
    "across",
    "along",
    "over",
    "cross",
    "crosses",
    "crossed",
    "crossing",
    "waded",
    "swam",
    "upper",
    "lower",
    "middle",
    "frozen",
    "shallow",
}
fold = lru_cache(maxsize=65536)(_fold)  # the same n-grams recur across articles
#: Generic words that belong to the name itself ("Tumen River"), not stripped from mentions.
_NAME_PART_SUFFIXES = {"river", "gang", "jiang", "bridge", "port"}


@dataclass(frozen=True, slots=True)
class _Token:
    text: str
    start: int  # offset in the article text
    end: int

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()

    @property
    def is_capitalised(self) -> bool:
        return self.text[0].isupper() or bool(_CJK.match(self.text))

    @property
    def lower(self) -> str:
        return self.text.lower()


@cache
def not_place_words(data_folder: Path | None = None) -> frozenset[str]:
    """Return the folded words that are never place names (``gazetteer/not_places.txt``).

    Parameters
    ----------
    data_folder
        Folder holding ``gazetteer/not_places.txt``; default ``settings.data_folder``.

    Returns
    -------
    words
        Folded forms (see :func:`geo.gazetteer.fold`).
    """
    path = Path(data_folder or settings.data_folder) / "gazetteer" / "not_places.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(s) for line in lines if (s := line.split("#", 1)[0].strip()))


@cache
def surnames(data_folder: Path | None = None) -> frozenset[str]:
    """Return the folded surnames of ``gazetteer/surnames.txt``.

    Parameters
    ----------
    data_folder
        Folder holding ``gazetteer/surnames.txt``; default ``settings.data_folder``.

    Returns
    -------
    names
        Folded forms: a place name right after one of them is a person's given name.
    """
    path = Path(data_folder or settings.data_folder) / "gazetteer" / "surnames.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(fold(s) for line in lines if (s := line.split("#", 1)[0].strip()))


def _tokens(text: str, offset: int) -> list[_Token]:
    return [_Token(m.group(), m.start() + offset, m.end() + offset) for m in _TOKEN.finditer(text)]


def _adjacent(tokens: list[_Token], a: int, b: int) -> bool:
    """True when tokens a..b are words, joined by white space or dashes ("Korea–Russia")."""
    return (
        tokens[a].is_word
        and tokens[b].is_word
        and all(
            tokens[k].is_word
            or tokens[k].text in _DASHES
            or (tokens[k].text in "'’" and tokens[k].start == tokens[k - 1].end)  # People's
            for k in range(a + 1, b)
        )
    )


def _hangul_keys(token: str) -> list[str]:
    keys = [token]
    keys += [
        token[: -len(p)] for p in _HANGUL_PARTICLES if token.endswith(p) and len(token) > len(p) + 1
    ]
    return keys


@dataclass(slots=True)
class _Match:
    first: int
    last: int  # inclusive token index
    key: str
    hint: str | None
    found: list[Candidate]  # the gazetteer's candidates for ``key``

    @property
    def curated(self) -> bool:
        """Whether a curated border place is among the candidates."""
        return any(c.curated for c in self.found)


def _match_at(tokens: list[_Token], i: int, text: str, gazetteer: Gazetteer) -> _Match | None:
    """Longest gazetteer match starting at token i."""
    if _CJK.match(tokens[i].text):
        for key in _hangul_keys(tokens[i].text):
            if found := gazetteer.lookup_key(fold(key)):
                return _Match(i, i, fold(key), None, found)
        return None
    longest = min(len(tokens) - i, gazetteer.max_tokens, _MAX_TOKENS)
    for length in range(longest, 0, -1):
        last = i + length - 1
        if not _adjacent(tokens, i, last):
            continue
        suffix = tokens[last].lower
        key = fold(text[tokens[i].start : tokens[last].end])
        if length > 1 and suffix in _CROSSING_WORDS and (found := gazetteer.lookup_key(key)):
            return _Match(i, last, key, None, found)  # "Linjiang bridge" is the bridge
        if length > 1 and suffix in GENERIC_SUFFIXES and suffix not in _NAME_PART_SUFFIXES:
            base = fold(text[tokens[i].start : tokens[last - 1].end])
            if found := gazetteer.lookup_key(base):
                hint = None if _modifier(tokens, i, suffix, found) else GENERIC_SUFFIXES[suffix]
                return _Match(i, last - 1, base, hint, found)
        if found := gazetteer.lookup_key(key):
            hint = GENERIC_SUFFIXES.get(suffix) if length > 1 else None
            return _Match(i, last, key, hint, found)
    return None


def _modifier(tokens: list[_Token], i: int, suffix: str, found: list[Candidate]) -> bool:
    """A province named before "town" says where the town is: "the Hebei town", "a Jilin city".

    "the Tumen city" still calls Tumen a city: only a name that is a province or country is
    read as the town's modifier.
    """
    return (
        i > 0
        and tokens[i - 1].lower in ("a", "an", "the")
        and suffix in _SETTLEMENT_NOUNS
        and any(c.feature_class in ("province", "country") for c in found)
    )


_SETTLEMENT_NOUNS = frozenset({"town", "city", "village", "county"})


#: Function words capitalised only because they open a sentence ("A Fengcheng processor").
_SENTENCE_OPENERS = frozenset(
    {"the", "a", "an", "in", "at", "on", "from", "near", "to", "and", "but", "when", "after",
     "before", "since", "while", "across", "outside", "inside", "around", "through", "via",
     "both", "many", "some", "two", "three", "several", "most", "all", "every", "each",
     "whether", "if", "although", "though", "as", "for", "with", "by", "under", "over",
     "during", "because", "unlike", "like", "despite", "about", "of", "that", "this", "these",
     "those", "what", "how", "why", "where", "once", "even", "only", "so", "yet", "or", "nor",
     "then", "now", "meanwhile", "still", "until", "within", "without", "between", "into"}
)  # fmt: skip


def _looks_like_person(tokens: list[_Token], match: _Match) -> bool:
    """A GeoNames-only name inside a run of capitalised words, or after a title, is a person."""
    before = tokens[match.first - 1] if match.first > 0 else None
    after = tokens[match.last + 1] if match.last + 1 < len(tokens) else None
    if before is not None and before.lower.rstrip(".") in _PERSON_CUES:
        return True
    if (
        before is not None
        and before.is_word
        and before.is_capitalised
        and before.lower not in _SENTENCE_OPENERS
    ):
        return True
    if _GIVEN_NAME.match(tokens[match.first].text) and match.first == match.last:
        return True
    return (
        after is not None
        and after.is_word
        and after.is_capitalised
        and after.lower not in GENERIC_SUFFIXES
    )


#: "Min-ji", "Hae-ju": a Korean given name; a place so written ends in a suffix (-ri, -dong).
_GIVEN_NAME = re.compile(rf"^[A-Z][{_LETTER}]{{0,5}}-(?!(?:si|do|gu|{_SUFFIXES})$)[a-zŏŭ]{{1,4}}$")


#: Countries whose small towns an article about this border may name.
_NEAR_COUNTRIES = frozenset({"KP", "CN", "KR", "RU", "JP", "MN"})


def _capitalised_word(tokens: list[_Token], match: _Match) -> bool:
    """Tell whether a sentence-opening word is only a far-away small town ("Tours to ...").

    No curated name and every candidate under a million people outside the region's
    countries: "Tours to the truce village resumed", "Normal trade ..." are words.
    """
    if match.curated or (match.first > 0 and tokens[match.first - 1].text not in "\"“‘'("):
        return False
    return bool(match.found) and all(
        c.country_code not in _NEAR_COUNTRIES and c.population < 1_000_000 for c in match.found
    )


def _after_surname(tokens: list[_Token], match: _Match) -> bool:
    """'Kim Song-jin', 'Li Jian': a name right after a surname is a given name."""
    before = tokens[match.first - 1] if match.first > 0 else None
    return (
        match.first == match.last
        and before is not None
        and before.is_word
        and before.text[0].isupper()
        and fold(before.text) in surnames()
    )


def _accept(tokens: list[_Token], match: _Match, text: str, stop: frozenset[str]) -> bool:
    if _after_surname(tokens, match):
        return False
    if match.curated:
        before = tokens[match.first - 1] if match.first > 0 else None
        return not (before is not None and before.lower.rstrip(".") in _PERSON_CUES - {"by"})
    surface = text[tokens[match.first].start : tokens[match.last].end]
    if match.key in stop or len(match.key) < 4 or surface.isupper() and len(surface) < 5:
        return False
    words = tokens[match.first : match.last + 1]
    if any(not t.is_capitalised and t.lower not in GENERIC_SUFFIXES for t in words):
        return False  # "March and" is no place, whatever GeoNames lists
    if len(words) > 1 and all(len(t.text) <= 5 for t in words):
        return False  # "Jin Hua" is a person; GeoNames writes the city "Jinhua"
    return not _looks_like_person(tokens, match)


def _river_key(tokens: list[_Token], match: _Match, gazetteer: Gazetteer) -> str | None:
    """'the Tumen' followed by a function word is the river when the gazetteer has '<X> River'."""
    before = tokens[match.first - 1] if match.first > 0 else None
    if before is None or before.lower not in _RIVER_PRECEDERS or match.hint is not None:
        return None
    after = tokens[match.last + 1] if match.last + 1 < len(tokens) else None
    if after is not None and after.is_word and after.lower not in _RIVER_FOLLOWERS:
        return None
    key = match.key + "river"
    return key if any(c.feature_class == "river" for c in gazetteer.lookup_key(key)) else None


_APPOSITIVE = re.compile(
    r",\s+(?:a|an|the)\s+(?:[a-z-]+\s+){0,3}?(city|town|village|hamlet|county|port|river|province)\b"
)


def _following_hint(tokens: list[_Token], match: _Match, text: str) -> str | None:
    """'Hoeryong city', 'Tumen, a small city in Jilin': the kind of place the text says."""
    after = tokens[match.last + 1] if match.last + 1 < len(tokens) else None
    if after is not None and after.is_word and after.lower in GENERIC_SUFFIXES:
        modifier = _modifier(tokens, match.first, after.lower, match.found)
        return None if modifier else GENERIC_SUFFIXES[after.lower]
    appositive = _APPOSITIVE.match(text, tokens[match.last].end)
    return GENERIC_SUFFIXES[appositive.group(1)] if appositive else None


_ANCHOR = re.compile(
    r"(?:\s+(?:village|town|county|township|district|area|hamlet|city))?"
    r"(?:\s*,\s*(?:(?:a|an|the)\s+)?(?:[a-z'’-]+\s+){0,3}?"
    r"(?:village|town|city|hamlet|settlement|district|area|community|township|county))?"
    r"(?:\s+(?:about|some|roughly|around)?\s*\d+\s*(?:km|kilometers|kilometres|miles))?"
    r"(?:\s+(?:up|down)stream|\s+(?:just\s+)?(?:north|south|east|west|northeast|northwest|"
    r"southeast|southwest))?"
    r"(?:\s*,\s*(?:near|outside|in|of|by|close\s+to|from)\s+|\s*,\s*|"
    r"\s+(?:just\s+)?(?:near|outside|in|of|by|close\s+to|from)\s+)"
    r"(?:the\s+)?(?:(?:city|town|county)\s+of\s+)?",
    re.IGNORECASE,
)


def _anchor_after(text: str, end: int, found: dict[int, Mention]) -> str | None:
    """Return Y's surface in 'X town near Y', 'X, a village 10 km downstream of Y', 'X, Y'."""
    match = _ANCHOR.match(text, end)
    if match is None:
        return None
    starts = {m.start_char: m for m in found.values()}
    target = starts.get(match.end())
    return target.search_name if target is not None else None


def _unknown_places(
    tokens: list[_Token], covered: set[int], text: str, stop: frozenset[str]
) -> list[tuple[int, str]]:
    """Token positions of names the gazetteer lacks but whose form says 'place'."""
    out = []
    for i, tok in enumerate(tokens):
        if i in covered or not tok.is_word or not tok.is_capitalised or fold(tok.text) in stop:
            continue
        if _SUFFIX_NAME.match(tok.text):
            out.append((i, "village"))
        elif i + 1 < len(tokens) and tokens[i + 1].lower in _UNKNOWN_PLACE_NOUNS and i > 0:
            prev = tokens[i - 1]
            if prev.is_word and not prev.is_capitalised and not tok.text.isupper():
                out.append((i, _UNKNOWN_PLACE_NOUNS[tokens[i + 1].lower]))
    return out


def toponyms_from_text(
    text: str, *, offset: int = 0, sentence: int = 0, gazetteer: Gazetteer
) -> list[Mention]:
    """Return the place mentions of one sentence.

    Parameters
    ----------
    text
        The sentence.
    offset
        Offset of the sentence in the article text; mention offsets include it.
    sentence
        Index of the sentence in the article.
    gazetteer
        Where names are looked up.

    Returns
    -------
    mentions
        In text order.
    """
    stop = not_place_words()
    tokens = _tokens(text, offset)
    local = text if offset == 0 else " " * offset + text
    found: dict[int, Mention] = {}
    covered: set[int] = set()
    i = 0
    while i < len(tokens):
        match = None
        if tokens[i].is_word and tokens[i].is_capitalised:
            match = _match_at(tokens, i, local, gazetteer)
        if match is None or not _accept(tokens, match, local, stop):
            i += 1
            continue
        if _capitalised_word(tokens, match):
            i = match.last + 1
            continue
        surface = local[tokens[match.first].start : tokens[match.last].end]
        hint = match.hint or _following_hint(tokens, match, local)
        if _river_key(tokens, match, gazetteer):
            hint = "river"
        found[match.first] = Mention(
            search_name=surface,
            start_char=tokens[match.first].start,
            end_char=tokens[match.last].end,
            sentence=sentence,
            feature_hint=hint,
        )
        covered.update(range(match.first, match.last + 1))
        i = match.last + 1
    for i, mention in list(found.items()):
        if anchor := _anchor_after(local, mention.end_char, found):
            found[i] = replace(mention, anchor=anchor)
    for i, hint in _unknown_places(tokens, covered, local, stop):
        found[i] = Mention(
            search_name=tokens[i].text,
            start_char=tokens[i].start,
            end_char=tokens[i].end,
            sentence=sentence,
            kind="suffix_rule",
            feature_hint=hint,
            anchor=_anchor_after(local, tokens[i].end, found),
        )
    return [found[k] for k in sorted(found)]


def toponyms_from_article(article: Article, gazetteer: Gazetteer) -> list[Mention]:
    """Return every place mention of an article's title, caption and body (not its byline).

    Parameters
    ----------
    article
        A cleaned article (see :func:`geo.articles.read_article`).
    gazetteer
        Where names are looked up (see :func:`geo.gazetteer.load_gazetteer`).

    Returns
    -------
    mentions
        In text order; offsets index into ``article.text``.
    """
    mentions: list[Mention] = []
    for number, sentence in enumerate(article.sentences):
        if sentence.section == "byline":
            continue
        mentions += toponyms_from_text(
            sentence.text, offset=sentence.start_char, sentence=number, gazetteer=gazetteer
        )
    logger.info("Found %d place mentions in %r", len(mentions), article.article_id)
    return mentions
