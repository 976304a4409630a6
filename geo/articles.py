"""Read article files into clean :class:`~geo.models.Article` records.

Steps (each a small pure function):

1. **Bytes to text** (:func:`read_article`): UTF-8 (a BOM is stripped); UTF-16 when
   the file starts with a UTF-16 BOM; otherwise cp1252, then latin-1, with a WARNING
   naming the file and the encoding. Rejected with :class:`~geo._errors.ArticleError`
   (``"<path>: <reason>"``): missing, empty, binary (NUL bytes or mostly control
   characters), larger than ``settings.max_article_bytes``, or only page chrome.
2. **Front matter**: an optional ``---`` block at the top with ``key: value`` lines.
   Keys ``title``, ``published`` (alias ``date``), ``url``, ``source``; quotes are
   stripped, unknown keys ignored. ``published`` accepts ISO (``2017-09-30``) or
   ``Sept. 30, 2017`` / ``30 September 2017``.
3. **Page chrome**: whole lines matching :data:`CHROME_PATTERNS` (case-insensitive)
   are dropped ("Email story", "Print story", "More Listening Options", "View Full
   Site", "Share", "Listen", ...). A chrome phrase glued to text without a newline
   ("...said.View Full Site", "Print storyNorth Korea ...") is cut off too. "View Full
   Site" is the end of the page: text glued after it ("View Full SiteNext Title", as
   when scraped pages are concatenated) is the next article and is dropped with a
   WARNING.
4. **Structure** -- each paragraph of :attr:`Article.text` belongs to one section
   (:data:`geo.models.SECTIONS`), and every :class:`~geo.models.Sentence` carries it:

   - ``title``: the front-matter title (its repetition among the first lines is
     dropped), else the first remaining line (unless it reads like body text: longer
     than 200 characters or ending with a period). Markdown heading marks (``# ``)
     are removed from every line.
   - ``caption``: a line printed twice in a row (photo caption) is kept once, with a
     short credit line directly below it ("Yonhap News Agency.", "AFP").
   - ``byline``: trailing lines such as "Reported by ... Translated by ... Written in
     English by ..." or "By <Name>" (also a "By <Name>" line right under the title).
   - ``body``: everything else. Blank lines separate paragraphs; a line that ends
     mid-sentence is joined to the next one (hard-wrapped text).

   :attr:`Article.text` is title, caption, body and byline joined by blank lines, so
   excerpts stay verbatim; later stages skip ``caption``/``byline`` sentences when
   looking for incidents and places, using ``Sentence.section``.
5. **Sentences**: a regex splitter (pysbd is accurate but takes ~8 ms per 3 KB
   article; this one takes about 0.1 ms). A sentence ends at ``.``, ``!`` or ``?``
   plus any closing quotes/brackets (``."`` and ``.”`` end after the quote), followed
   by whitespace and an upper-case letter, digit or opening quote. It does not end
   after abbreviations in :data:`ABBREVIATIONS` ("Mr.", "Dr.", "St."), dotted
   acronyms ("U.N.", "U.S.", "a.m.", "p.m."), single initials ("Kim J. Un"), or
   "No." / a month abbreviation before a number ("No. 3", "Sept. 28").
6. **Publication date**: front matter when given. Otherwise it is inferred
   (``published_inferred=True``) from the dates the text itself holds:

   - take the largest explicit year Y in the title and body (captions only when the
     body has none -- captions often date a file photo);
   - if the body says "last year" anywhere, the article is from Y+1 (a report that
     calls an event "last year" and also names the year Y of the latest event is
     taken to be from the year after);
   - published = July 1 of Y+1 after "last year" (mid-year, so a year-less "In December"
     resolves to the previous December under the rule of :mod:`geo.dates`); December 31
     of Y when the text names only years (its year-less dates then fall in Y); else
     July 1 of Y, or the
     end of the latest explicitly dated day, range or month of the text ("Sept. 30,
     2017", "September 2016") when that is later: a report is written after the
     latest date it names, so "September 2016 ... on Oct. 4" reads as October 2016.

   No year anywhere: ``published`` is None and year-less dates stay ``unknown``.
"""

from __future__ import annotations

import codecs
import logging
import re
from datetime import date
from pathlib import Path

from geo import settings
from geo._errors import ArticleError
from geo.dates import MONTHS, dates_from_text
from geo.models import Article, Sentence

__all__ = [
    "ABBREVIATIONS",
    "CHROME_PATTERNS",
    "article_from_text",
    "find_articles",
    "read_article",
    "seed_path",
    "sentences_from_text",
]

logger = logging.getLogger(__name__)

#: Whole lines (stripped, case-insensitive) that are page furniture, not article text.
CHROME_PATTERNS: tuple[str, ...] = (
    r"email(?: this)? story",
    r"e-?mail",
    r"comment on this story",
    r"comments?(?: \(\d+\))?",
    r"print(?: this)? story",
    r"print(?: this page)?",
    r"more listening options",
    r"view full site",
    r"share(?: this(?: story| article)?)?(?: on \w+)?",
    r"listen(?: now| to this (?:story|article))?",
    r"tweet",
    r"facebook",
    r"twitter",
    r"whatsapp",
    r"linkedin",
    r"advertisement",
    r"skip to (?:main )?content",
    r"read more",
    r"related stories",
    r"(?:subscribe|sign up)(?: to our newsletter| now)?",
    r"(?:copyright\s*)?(?:©|\(c\)).{0,160}",
    r"copyright\s+(?:\d{4}|by\b).{0,160}",
    r"all rights reserved\.?",
    r"download(?: audio)?",
    r"\d{1,2}:\d{2}",  # audio player duration
    r"[-=*_~]{3,}",  # horizontal rule
)
_CHROME = re.compile(r"(?i:" + "|".join(CHROME_PATTERNS) + r")")

#: Chrome phrases that page scrapes glue to neighbouring text without a newline.
_GLUED = r"View Full Site|More Listening Options|Email story|Print story|Comment on this story"
_GLUED_HEAD = re.compile(rf"^(?:{_GLUED})(?=\S)", re.I)
_GLUED_TAIL = re.compile(rf"(?<=\S)(?:{_GLUED})$", re.I)
_MD_HEADING = re.compile(r"^#{1,6}\s+")
_END_OF_PAGE = re.compile(r"view full site(?=\S)", re.I)

#: Words that end with a period without ending the sentence (compared lower-case).
ABBREVIATIONS: frozenset[str] = frozenset(
    {
        # titles and ranks
        "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cmdr", "sgt",
        "adm", "gov", "sen", "rep", "pres", "amb", "rev", "hon", "jr", "sr", "st", "mt", "ft",
        # misc
        "vs", "approx", "fig", "est", "dept", "univ", "assn", "bros", "ave", "blvd", "rd",
        "inc", "corp", "ltd", "co",
    }
)  # fmt: skip

#: Month abbreviations: no sentence end when a day number follows ("Sept. 28").
_MONTH_ABBREVIATIONS = frozenset(
    {"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)

#: "2019.⁴² The Panel", "the spring.[43] On 3 July": a footnote marker ends with the sentence
_SENTENCE_END = re.compile(r"[.!?]+[\"”’')\]]*(?:[⁰¹²³⁴⁵⁶⁷⁸⁹]+|\[\d{1,3}\])?(?=\s)")
_WORD_BEFORE = re.compile(r"([\w.]+)$")
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}")
_TERMINAL = (".", "!", "?", '"', "”", "’", ")", ":")

_BYLINE = re.compile(
    r"^(?i:reported|written|translated|edited|compiled|produced|reporting|writing|editing"
    r"|additional reporting)\b.{0,240}\bby\b",
)
_BY_NAME = re.compile(
    r"^By\s+(?!(?:the|a|an|January|February|March|April|May|June|July|August|September"
    r"|October|November|December|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b)"
    r"[A-Z][\w.'’-]*(?:,?\s+(?:[A-Z][\w.'’-]*|and|&|de|van|von|al|bin)){0,6}"
    r"(?:\s*[,|—–-]\s*[\w .'’&-]{0,60})?$"
)
_CREDIT_HINT = re.compile(r"(?i:photo|credit|courtesy|file|/|\bAFP\b|\bAP\b|reuters|yonhap)")
_FRONT_KEYS = {"title": "title", "published": "published", "date": "published",
               "url": "url", "source": "source"}  # fmt: skip
_FRONT_LINE = re.compile(r"^(?:[\w-]+\s*:|\s+\S|-\s|#)")  # key: value, YAML list/indent, comment
_LAST_YEAR = re.compile(r"\blast year\b", re.I)
_NAMES_MONTH = re.compile(r"\b(?:" + "|".join(MONTHS) + r")\b")
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")

_TITLE_MAX = 200
_TITLE_SEARCH_LINES = 3
_BYLINE_MAX = 300
_CREDIT_MAX_WORDS = 8
_CREDIT_MAX_CHARS = 60
_BINARY_CONTROL_SHARE = 0.1


# --------------------------------------------------------------------------- public API


def find_articles(folder: str | Path) -> list[Path]:
    """List the article files (``*.txt``, ``*.md``) of a folder, sorted by name.

    Parameters
    ----------
    folder
        Directory holding article files (not searched recursively; hidden files are
        skipped).

    Returns
    -------
    paths
        Sorted file paths.

    Raises
    ------
    ArticleError
        When ``folder`` does not exist or is not a directory.
    """
    folder = Path(folder)
    if not folder.is_dir():
        reason = "is not a directory" if folder.exists() else "directory not found"
        msg = f"{folder}: {reason}; pass a folder of .txt/.md article files"
        raise ArticleError(msg)
    paths = [
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in {".txt", ".md"} and not p.name.startswith(".")
    ]
    return sorted(paths, key=lambda p: p.name)


def seed_path(name: str) -> Path:
    """Path of a seed article by file name, stem or unique prefix (momepy's ``get_path``).

    Parameters
    ----------
    name
        ``"004_041c0f3c5762d66b.txt"``, ``"004_041c0f3c5762d66b"`` or ``"004"``.

    Returns
    -------
    path
        The file in ``settings.seeds_folder``.

    Raises
    ------
    ArticleError
        When no single seed matches; the message lists the available names.
    """
    paths = find_articles(settings.seeds_folder)
    matches = [p for p in paths if name in {p.name, p.stem}]
    if not matches and name:
        matches = [p for p in paths if p.name.startswith(name)]
    if len(matches) == 1:
        return matches[0]
    problem = "matches several seeds" if matches else "is not a seed"
    msg = f"{name!r} {problem}; available: {', '.join(p.stem for p in paths)}"
    raise ArticleError(msg)


def read_article(path: str | Path) -> Article:
    """Read one article file into a clean Article; ``article_id`` is the file stem.

    Parameters
    ----------
    path
        A UTF-8 (or UTF-16 with BOM, cp1252, latin-1) text file.

    Returns
    -------
    article
        The cleaned article with sections, paragraphs and sentences.

    Raises
    ------
    ArticleError
        ``"<path>: <reason>"`` for a missing, empty, binary, too large or
        chrome-only file.
    """
    path = Path(path)
    if not path.is_file():
        msg = f"{path}: file not found" if not path.exists() else f"{path}: is not a file"
        raise ArticleError(msg)
    size = path.stat().st_size
    limit = settings.max_article_bytes
    if size > limit:
        msg = (
            f"{path}: file is {size / 1e6:.1f} MB; the limit is {limit / 1e6:.1f} MB "
            "(settings.max_article_bytes)"
        )
        raise ArticleError(msg)
    try:
        data = path.read_bytes()
    except OSError as e:
        msg = f"{path}: cannot be read ({e.strerror or e})"
        raise ArticleError(msg) from e
    text = _decode(data, str(path))
    return article_from_text(text, path.stem, path=str(path))


def article_from_text(text: str, article_id: str, *, path: str = "") -> Article:
    r"""Clean an article's text: front matter, chrome, title, caption, byline, sentences.

    Parameters
    ----------
    text
        The raw article text (as in the file, or pasted by a user).
    article_id
        Identifier of the article (the file stem for files).
    path
        Where the text came from; used in error messages and kept on the Article.

    Returns
    -------
    article
        The cleaned article; ``published`` from front matter or inferred from the text.

    Raises
    ------
    ArticleError
        When no article text is left after removing page chrome.

    Examples
    --------
    >>> a = article_from_text(
    ...     "Title Here\nEmail story\nPrint story\n"
    ...     "Trucks crossed on Sept. 28, 2017. Guards saw them.\n"
    ...     "Reported by Jane Roe.\nView Full Site", "x")
    >>> a.title, a.byline, a.published
    ('Title Here', 'Reported by Jane Roe.', datetime.date(2017, 9, 28))
    >>> [(s.section, s.text) for s in a.sentences]  # doctest: +NORMALIZE_WHITESPACE
    [('title', 'Title Here'), ('body', 'Trucks crossed on Sept. 28, 2017.'),
     ('body', 'Guards saw them.'), ('byline', 'Reported by Jane Roe.')]
    """
    if not isinstance(text, str):
        msg = f"'text' should be str, got {type(text).__name__}"
        raise TypeError(msg)
    name = path or article_id
    text = _normalize(text)
    if not text.strip():
        raise ArticleError(f"{name}: the article is empty")
    meta, lines = _split_front_matter(text.split("\n"), name)
    lines = _strip_chrome(lines, name)
    title, captions, body, byline = _structure(lines, meta.get("title", ""))
    if not body:
        raise ArticleError(f"{name}: no article text left after removing page chrome")
    blocks = [(title, "title")] if title else []
    blocks += [(c, "caption") for c in captions]
    blocks += [(p, "body") for p in body]
    if byline:
        blocks.append((byline, "byline"))
    full_text, paragraphs, sentences = _assemble(blocks)
    published, inferred = _published(meta.get("published", ""), sentences, name)
    return Article(
        article_id=article_id,
        text=full_text,
        sentences=sentences,
        paragraphs=paragraphs,
        title=title,
        caption=" ".join(captions),
        byline=byline,
        published=published,
        published_inferred=inferred,
        url=meta.get("url", ""),
        source=meta.get("source", ""),
        path=path,
    )


def sentences_from_text(text: str) -> list[tuple[int, int]]:
    """Split one paragraph into sentence spans (abbreviation-aware regex splitter).

    Parameters
    ----------
    text
        A paragraph (newlines are treated as spaces).

    Returns
    -------
    spans
        ``(start, end)`` character offsets of each sentence, whitespace trimmed.

    Examples
    --------
    >>> t = 'Moved on Sept. 28 at 1:00 a.m. by the U.N. envoy Kim J. Un. "Done." Next.'
    >>> [t[s:e] for s, e in sentences_from_text(t)]
    ['Moved on Sept. 28 at 1:00 a.m. by the U.N. envoy Kim J. Un.', '"Done."', 'Next.']
    >>> t = "He lives at No. 3 St. Mark’s Road. “We saw it.” Then he left."
    >>> [t[s:e] for s, e in sentences_from_text(t)]
    ['He lives at No. 3 St. Mark’s Road.', '“We saw it.”', 'Then he left.']
    """
    spans = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        if not _is_boundary(text, m.start(), end):
            continue
        spans.append((start, end))
        start = end
    spans.append((start, len(text)))
    return [t for s, e in spans if (t := _trim(text, s, e))[0] < t[1]]


# --------------------------------------------------------------------------- decoding


def _decode(data: bytes, name: str) -> str:
    """Decode file bytes; reject empty and binary content."""
    if not data.strip():
        raise ArticleError(f"{name}: the file is empty")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            msg = f"{name}: starts with a UTF-16 byte order mark but is not valid UTF-16"
            raise ArticleError(msg) from e
    if b"\x00" in data:
        raise ArticleError(f"{name}: looks like a binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = ""
        for encoding in ("cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            logger.warning("%s is not UTF-8; decoded it as %s", name, encoding)
            break
    if _control_share(text) > _BINARY_CONTROL_SHARE:
        raise ArticleError(f"{name}: looks like a binary file (control characters), not text")
    return text


def _control_share(text: str) -> float:
    """Share of characters that are control characters other than whitespace."""
    if not text:
        return 0.0
    return len(_CONTROL.findall(text)) / len(text)


def _normalize(text: str) -> str:
    """Unify newlines, drop zero-width characters and BOMs, non-breaking spaces to spaces."""
    text = _ZERO_WIDTH.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\u00a0", " ").replace("\u2028", "\n").replace("\u2029", "\n\n")


# --------------------------------------------------------------------------- front matter


def _split_front_matter(lines: list[str], name: str) -> tuple[dict[str, str], list[str]]:
    """Separate a leading ``---`` block of ``key: value`` lines from the text."""
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != "---":
        return {}, lines
    try:
        close = next(i for i in range(first + 1, len(lines)) if lines[i].strip() in {"---", "..."})
    except StopIteration:
        logger.warning("%s: front matter opened with '---' is never closed; read as text", name)
        return {}, lines
    block = [line for line in lines[first + 1 : close] if line.strip()]
    if not all(_FRONT_LINE.match(line) for line in block):
        return {}, lines  # a rule ("---") around ordinary text, not front matter
    meta: dict[str, str] = {}
    for line in block:
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in _FRONT_KEYS:
            meta[_FRONT_KEYS[key]] = _unquote(value.strip())
    return meta, lines[close + 1 :]


def _unquote(value: str) -> str:
    """Strip one pair of surrounding quotes."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


def _parse_published(value: str, name: str) -> date | None:
    """Front-matter date: ISO or any full date the date grammar knows."""
    value = value.strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    spans = [s for s in dates_from_text(value, reference=None) if s.precision == "day"]
    if spans and spans[0].start is not None:
        return spans[0].start
    logger.warning("%s: cannot read published date %r; inferring it from the text", name, value)
    return None


# --------------------------------------------------------------------------- chrome


def _strip_chrome(lines: list[str], name: str) -> list[str]:
    """Drop chrome lines (and glued chrome phrases); keep blank lines as separators.

    "View Full Site" glued to following text marks the end of the page: what follows
    is the next page of a scrape (the next article's title), so it is dropped.
    """
    kept = []
    for raw in lines:
        line = raw.strip()
        if _END_OF_PAGE.match(line):
            logger.warning(
                "%s: dropped text glued after 'View Full Site' (next page): %r", name, line[:60]
            )
            break
        line = _GLUED_TAIL.sub("", _GLUED_HEAD.sub("", _MD_HEADING.sub("", line))).strip()
        if _CHROME.fullmatch(line):
            continue
        kept.append(line)
    return kept


# --------------------------------------------------------------------------- structure


def _structure(lines: list[str], meta_title: str) -> tuple[str, list[str], list[str], str]:
    """Split chrome-free lines into title, captions, body paragraphs and byline."""
    if not any(lines):
        return "", [], [], ""
    title, lines = _take_title(lines, meta_title)
    lines, top_byline = _take_top_byline(lines)
    lines, byline_lines = _take_byline(lines)
    captions, lines = _take_captions(lines)
    return title, captions, _paragraphs(lines), " ".join(top_byline + byline_lines)


def _take_title(lines: list[str], meta_title: str) -> tuple[str, list[str]]:
    """Title from front matter or the first line; the title line is removed."""
    index = next(i for i, line in enumerate(lines) if line)
    first = lines[index]
    if meta_title:
        # The page usually repeats the title near the top (after a note or a kicker).
        head = [i for i, line in enumerate(lines) if line][:_TITLE_SEARCH_LINES]
        repeat = next((i for i in head if lines[i].casefold() == meta_title.casefold()), None)
        if repeat is not None:
            return meta_title, lines[:repeat] + lines[repeat + 1 :]
        return meta_title, lines
    rest = [line for line in lines[index + 1 :] if line]
    if len(first) > _TITLE_MAX or first.endswith(".") or not rest:
        return "", lines
    return first, lines[index + 1 :]


def _take_top_byline(lines: list[str]) -> tuple[list[str], list[str]]:
    """Take a "By <Name>" line from the top of the remaining text."""
    index = next((i for i, line in enumerate(lines) if line), None)
    if index is not None and _BY_NAME.match(lines[index]):
        return lines[index + 1 :], [lines[index]]
    return lines, []


def _take_byline(lines: list[str]) -> tuple[list[str], list[str]]:
    """Trailing byline lines ("Reported by ...", "By <Name>")."""
    lines = list(lines)
    byline: list[str] = []
    while lines:
        line = lines[-1]
        if not line:
            lines.pop()
        elif _is_byline(line) and any(other for other in lines[:-1]):
            byline.insert(0, lines.pop())
        else:
            break
    return lines, byline


def _is_byline(line: str) -> bool:
    """Tell whether a line credits reporters, translators or editors."""
    return len(line) <= _BYLINE_MAX and bool(_BYLINE.match(line) or _BY_NAME.match(line))


def _take_captions(lines: list[str]) -> tuple[list[str], list[str]]:
    """Photo captions: a line printed twice in a row, kept once, plus a credit line."""
    captions: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j = _next_nonblank(lines, i + 1)
        if line and j is not None and lines[j] == line and len(line.split()) >= 3:
            caption, i = line, j + 1
            if _is_credit(lines, i):
                caption, i = f"{caption} {lines[i]}", i + 1
            captions.append(caption)
            continue
        rest.append(line)
        i += 1
    return captions, rest


def _next_nonblank(lines: list[str], start: int) -> int | None:
    """Index of the next non-empty line at or after ``start``."""
    return next((k for k in range(start, len(lines)) if lines[k]), None)


def _is_credit(lines: list[str], i: int) -> bool:
    """Tell whether line ``i`` is a photo credit: short, under a caption, ending the block."""
    if i >= len(lines) or not lines[i]:
        return False
    line = lines[i]
    short = len(line) <= _CREDIT_MAX_CHARS and len(line.split()) <= _CREDIT_MAX_WORDS
    block_ends = i + 1 >= len(lines) or not lines[i + 1]
    looks = line.endswith(".") or line.isupper() or bool(_CREDIT_HINT.search(line))
    return short and block_ends and looks


def _paragraphs(lines: list[str]) -> list[str]:
    """Body paragraphs: blank lines separate them; wrapped lines are joined."""
    paragraphs: list[str] = []
    current: list[str] = []
    for k, line in enumerate(lines):
        if not line:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(line)
        following = lines[k + 1] if k + 1 < len(lines) else ""
        if following and not _continues(line, following):
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _continues(line: str, following: str) -> bool:
    """Tell whether ``following`` continues the sentence of a hard-wrapped ``line``."""
    if line.endswith(_TERMINAL):
        return False
    return len(line) >= 50 or following[:1].islower()


def _assemble(
    blocks: list[tuple[str, str]],
) -> tuple[str, list[tuple[int, int]], list[Sentence]]:
    """Join section blocks with blank lines; paragraph spans and tagged sentences."""
    parts: list[str] = []
    paragraphs: list[tuple[int, int]] = []
    sentences: list[Sentence] = []
    offset = 0
    for index, (block, section) in enumerate(blocks):
        if parts:
            parts.append("\n\n")
            offset += 2
        parts.append(block)
        paragraphs.append((offset, offset + len(block)))
        for s, e in sentences_from_text(block):
            sentences.append(Sentence(block[s:e], offset + s, offset + e, section, index))
        offset += len(block)
    return "".join(parts), paragraphs, sentences


# --------------------------------------------------------------------------- sentences


def _is_boundary(text: str, dot: int, end: int) -> bool:
    """Decide whether the punctuation at ``dot`` (run ending at ``end``) ends a sentence."""
    rest = text[end:].lstrip()
    if not rest:
        return True
    nxt = rest.lstrip("\"“‘'([")[:1]
    if not (nxt.isupper() or nxt.isdigit()):
        return False
    if text[dot] != "." or text[dot : dot + 2] == "..":
        return True
    m = _WORD_BEFORE.search(text, 0, dot + 1)
    word = m.group(1) if m else ""
    bare = word.rstrip(".").split(".")[-1].lower()
    if _DOTTED.fullmatch(word):
        return False
    if len(bare) == 1 and bare.isalpha() and word[-2:-1].isupper():
        return False  # an initial: "Kim J. Un"
    if bare == "no" or bare in _MONTH_ABBREVIATIONS:
        return not nxt.isdigit()  # "No. 3", "Sept. 28"; but "Leejin Jun. Written ..."
    return bare not in ABBREVIATIONS


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink a span to exclude surrounding whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


# --------------------------------------------------------------------------- dates


def _published(value: str, sentences: list[Sentence], name: str) -> tuple[date | None, bool]:
    """Publication date from front matter, else inferred from the text (module docstring)."""
    given = _parse_published(value, name)
    if given is not None:
        return given, False
    inferred = _infer_published(sentences)
    if inferred is not None:
        logger.info("%s: no publication date; inferred %s from the text", name, inferred)
    return inferred, inferred is not None


def _infer_published(sentences: list[Sentence]) -> date | None:
    """End of the latest year named (mid-year after "last year"), or a later dated period's end."""
    main = [s for s in sentences if s.section in {"title", "body"}]
    captions = [s for s in sentences if s.section == "caption"]
    years, period_ends = _explicit_dates(main)
    if not years:
        years, period_ends = _explicit_dates(captions)
    if not years:
        return None
    year = max(years)
    latest = max(period_ends, default=None)
    if any(_LAST_YEAR.search(s.text) for s in main):
        guess = date(year + 1, 7, 1)  # mid-year: a year-less "In December" is last December
    elif latest is None:
        guess = date(year, 12, 31)  # only years named: the report's dates fall in the latest
    else:
        guess = date(year, 7, 1)
    return latest if latest is not None and latest > guess else guess


def _explicit_dates(sentences: list[Sentence]) -> tuple[list[int], list[date]]:
    """Years of dates written with a year; ends of those finer than a year."""
    years: list[int] = []
    period_ends: list[date] = []
    text = "\n|\n".join(s.text for s in sentences)  # "|": no date spans two sentences
    for span in dates_from_text(text, reference=None):
        if span.start is None or span.end is None or span.inferred:
            continue
        years.append(span.start.year)
        if span.precision in {"day", "range", "month"} and _NAMES_MONTH.search(span.text):
            period_ends.append(span.end)  # not "early 2022": that is a part of a year
    return years, period_ends
