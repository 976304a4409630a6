from __future__ import annotations

import doctest
import logging
import time
from datetime import date
from pathlib import Path

import pytest

import geo.articles
from geo import settings
from geo._errors import ArticleError
from geo.articles import (
    article_from_text,
    find_articles,
    read_article,
    seed_path,
    sentences_from_text,
)
from geo.dates import dates_from_text

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
DATA = Path(__file__).resolve().parent / "data" / "articles"
SEED_000 = SEEDS / "000_ffd522ab3c3a352b.txt"
SEED_004 = SEEDS / "004_041c0f3c5762d66b.txt"
CHROME = ("Email story", "Comment on this story", "Print story", "More Listening Options",
          "View Full Site")  # fmt: skip


def _sections(article, section):
    return [s.text for s in article.sentences if s.section == section]


# --------------------------------------------------------------------------- seeds


def test_find_articles_lists_the_seeds_sorted():
    paths = find_articles(SEEDS)
    assert [p.name for p in paths] == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert len(paths) == 2


@pytest.mark.parametrize("path", [SEED_000, SEED_004], ids=["000", "004"])
def test_seed_chrome_is_gone_and_offsets_are_exact(path):
    article = read_article(path)
    assert article.article_id == path.stem
    assert article.path == str(path)
    for chrome in CHROME:
        assert chrome not in article.text
    assert article.sentences
    for s in article.sentences:
        assert article.text[s.start_char : s.end_char] == s.text
        start, end = article.paragraphs[s.paragraph]
        assert start <= s.start_char < s.end_char <= end
    assert article.text == article.text.strip()


@pytest.mark.parametrize(
    ("path", "title", "caption"),
    [
        (
            SEED_000,
            "North Korea Secretly Making Clothing in Kaesong Industrial Park With South's "
            "Equipment",
            "North Korean workers sew textiles at the Kaesong Industrial Complex in September "
            "2013 photo. Yonhap News Agency.",
        ),
        (
            SEED_004,
            "North Korean Smugglers Backed by Army Evade Chinese Customs Post",
            "North Korean soldiers stand on a boat near the border with China in a file photo.",
        ),
    ],
    ids=["000", "004"],
)
def test_seed_title_and_caption_kept_once(path, title, caption):
    article = read_article(path)
    assert article.title == title
    assert _sections(article, "title") == [title]
    assert article.caption == caption
    first_caption_line = caption.split(" photo.")[0]
    assert article.text.count(first_caption_line) == 1
    assert all(caption_part in caption for caption_part in _sections(article, "caption"))


def test_seed_byline_separated_from_body():
    article = read_article(SEED_004)
    assert article.byline == (
        "Reported by Sunghui Moon for RFA’s Korean Service. Translated by Leejin Jun. "
        "Written in English by Richard Finney."
    )
    body = " ".join(_sections(article, "body"))
    assert "Sunghui Moon" not in body and "Richard Finney" not in body
    assert _sections(article, "byline")[-1] == "Written in English by Richard Finney."
    assert article.sentences[-1].section == "byline"


def test_seed_sentences_do_not_break_on_abbreviations_or_times():
    article = read_article(SEED_004)
    texts = [s.text for s in article.sentences]
    assert any(t.startswith("The clothing was then moved") and "Sept. 28 and Oct. 2" in t
               for t in texts)  # fmt: skip
    blocked = next(t for t in texts if "blocked the road" in t)
    assert "from 1:00 a.m. to 3:00 a.m. on Sept. 28 and used five 15-ton trucks" in blocked
    assert blocked.endswith("he said.")
    assert not any(t in {"Sept.", "Oct.", "a.m.", "28"} for t in texts)


def test_seed_quote_ends_after_closing_quote():
    article = read_article(SEED_000)
    texts = [s.text for s in article.sentences]
    assert "“The inside of the factory is invisible from outside." in texts
    assert any(t.startswith("All the lights") and t.endswith("said the second source.")
               for t in texts)  # fmt: skip


def test_seed_000_publication_year_inferred_from_body():
    article = read_article(SEED_000)
    # "February 2016" in the body, "shuttered last year" -> 2017; the caption's 2013 is ignored.
    assert article.published == date(2017, 7, 1)
    assert article.published_inferred is True


def test_seed_004_without_any_year_has_no_publication_date():
    article = read_article(SEED_004)
    assert article.published is None
    assert article.published_inferred is False


def test_seeds_read_fast():
    start = time.perf_counter()
    for _ in range(20):
        read_article(SEED_000)
        read_article(SEED_004)
    per_article = (time.perf_counter() - start) / 40
    assert per_article < 0.01, f"{per_article * 1000:.1f} ms per article"


# --------------------------------------------------------------------------- test data files


def test_front_matter_fields_and_repeated_title():
    article = read_article(DATA / "front_matter.md")
    assert article.title == "Customs Officers Turn Back Trucks at Tumen Bridge"
    assert article.published == date(2017, 9, 30)
    assert article.published_inferred is False
    assert article.url == "https://example.org/tumen-bridge"
    assert article.source == "Example Wire"
    assert article.text.count("Customs Officers Turn Back Trucks") == 1
    assert "tags" not in article.text and "---" not in article.text
    assert article.byline == "By Jane Roe"
    assert "Share" not in article.text
    assert '"They had no papers."' in [s.text for s in article.sentences]
    assert any("Mr. Park, said the drivers left at 3 p.m. and" in s.text
               for s in article.sentences)  # fmt: skip


def test_glued_view_full_site_drops_next_page(caplog):
    with caplog.at_level(logging.WARNING, logger="geo.articles"):
        article = read_article(DATA / "glued_chrome.txt")
    assert "Second Story Title" not in article.text
    assert "View Full Site" not in article.text
    assert article.byline == "Reported by Kim Min for Example Service."
    assert "View Full Site" in caplog.text


def test_hard_wrapped_lines_are_joined_into_one_paragraph():
    article = read_article(DATA / "hard_wrapped.txt")
    body = _sections(article, "body")
    assert body[0].startswith("Freight trains carrying timber resumed running")
    assert body[0].endswith("told the service.")
    assert "\n" not in body[0]
    # "mid-July 2021" is the latest explicitly dated period: the report is from after it.
    assert article.published == date(2021, 7, 20)
    assert article.published_inferred is True


@pytest.mark.parametrize("name", ["004", "004_041c0f3c5762d66b", "004_041c0f3c5762d66b.txt"])
def test_seed_path_by_name_stem_or_prefix(name):
    assert seed_path(name) == SEED_004


@pytest.mark.parametrize("name", ["0", "999", ""])
def test_seed_path_unknown_or_ambiguous_lists_available(name):
    with pytest.raises(ArticleError, match="available: 000_ffd522ab3c3a352b, 004_"):
        seed_path(name)


def test_find_articles_takes_txt_and_md_only(tmp_path):
    for name in ("b.txt", "a.md", "c.TXT", "notes.csv", ".hidden.txt"):
        (tmp_path / name).write_text("Title\n\nBody text here.", encoding="utf-8")
    (tmp_path / "sub.txt").mkdir()
    assert [p.name for p in find_articles(tmp_path)] == ["a.md", "b.txt", "c.TXT"]


@pytest.mark.parametrize("make", [lambda p: p / "missing", lambda p: p / "file.txt"])
def test_find_articles_rejects_missing_or_non_directory(tmp_path, make):
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    folder = make(tmp_path)
    with pytest.raises(ArticleError, match=f"^{folder}: "):
        find_articles(folder)


# --------------------------------------------------------------------------- bad files


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"   \n\n  \n", "empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20, "binary"),
        (bytes(range(1, 32)) * 40, "binary"),
        (b"Email story\nPrint story\n\nShare\nMore Listening Options\nView Full Site", "chrome"),
    ],
    ids=["empty", "blank", "png", "control-chars", "chrome-only"],
)
def test_bad_files_raise_one_line_article_error(tmp_path, content, reason):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(ArticleError) as info:
        read_article(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ")
    assert reason in message
    assert "\n" not in message


def test_missing_file_raises(tmp_path):
    with pytest.raises(ArticleError, match="not found"):
        read_article(tmp_path / "nope.txt")


def test_too_large_file_names_size_and_setting(tmp_path):
    path = tmp_path / "huge.txt"
    path.write_bytes(b"Title\n\n" + b"The trucks crossed the bridge. " * 170_000)
    with pytest.raises(ArticleError) as info:
        read_article(path)
    assert str(info.value) == (
        f"{path}: file is 5.3 MB; the limit is 2.0 MB (settings.max_article_bytes)"
    )


def test_size_limit_follows_settings(tmp_path, monkeypatch):
    path = tmp_path / "small.txt"
    path.write_text("Title\n\nThe trucks crossed the bridge on Sept. 28.", encoding="utf-8")
    monkeypatch.setattr(settings, "max_article_bytes", 10)
    with pytest.raises(ArticleError, match="max_article_bytes"):
        read_article(path)


def test_latin1_file_is_read_with_warning(tmp_path, caplog):
    path = tmp_path / "latin.txt"
    path.write_bytes("Café Report\n\nTraders met at the café in Dandong.\n".encode("latin-1"))
    with caplog.at_level(logging.WARNING, logger="geo.articles"):
        article = read_article(path)
    assert "café in Dandong" in article.text
    assert "latin.txt" in caplog.text and "cp1252" in caplog.text


def test_cp1252_smart_quotes_decoded(tmp_path):
    path = tmp_path / "cp.txt"
    path.write_bytes("Title\n\n\u201cWe crossed,\u201d he said.\n".encode("cp1252"))
    assert "\u201cWe crossed,\u201d he said." in read_article(path).text


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_bom_files_decoded_without_bom(tmp_path, encoding):
    path = tmp_path / "bom.txt"
    path.write_bytes("Title Line\r\n\r\nTrucks crossed at Sinŭiju.\r\n".encode(encoding))
    article = read_article(path)
    assert article.title == "Title Line"
    assert "\ufeff" not in article.text and "\r" not in article.text
    assert "Sinŭiju" in article.text


def test_script_tag_is_kept_as_text(tmp_path):
    path = tmp_path / "script.txt"
    path.write_text(
        "Title\n\nThe page said <script>alert('x')</script> near Dandong.\n", encoding="utf-8"
    )
    assert "<script>alert('x')</script>" in read_article(path).text


# --------------------------------------------------------------------------- article_from_text


def test_article_from_text_without_title_like_first_line():
    text = "Trucks crossed the bridge at Sinuiju on Sept. 28. Guards watched them."
    article = article_from_text(text, "pasted")
    assert article.title == ""
    assert [s.text for s in article.sentences] == [
        "Trucks crossed the bridge at Sinuiju on Sept. 28.",
        "Guards watched them.",
    ]
    assert article.path == ""


def test_article_from_text_error_names_the_article():
    with pytest.raises(ArticleError, match="^pasted: "):
        article_from_text("Print story\nView Full Site\n", "pasted")


def test_article_from_text_checks_type():
    with pytest.raises(TypeError, match="'text'"):
        article_from_text(b"bytes", "x")


def test_top_byline_and_credit_line():
    text = (
        "Border Trade Falls\n"
        "By Kim Min-ji\n\n"
        "Soldiers patrol the Yalu River in a file photo.\n"
        "Soldiers patrol the Yalu River in a file photo.\n"
        "AFP\n\n"
        "Trade at Dandong fell in 2019, traders said.\n"
    )
    article = article_from_text(text, "x")
    assert article.byline == "By Kim Min-ji"
    assert article.caption == "Soldiers patrol the Yalu River in a file photo. AFP"
    assert _sections(article, "body") == ["Trade at Dandong fell in 2019, traders said."]


@pytest.mark.parametrize(
    "line", ["Copyright © 1998-2017, RFA. Used with permission.", "© 2017 Example Wire",
             "All rights reserved.", "Share", "EMAIL STORY", "  Listen  ", "03:25"],
)  # fmt: skip
def test_chrome_lines_removed(line):
    article = article_from_text(f"Title\n\nTrucks crossed at Hyesan.\n{line}\n", "x")
    assert article.text == "Title\n\nTrucks crossed at Hyesan."


@pytest.mark.parametrize(
    "line",
    [
        "Copyright infringement cases at Dandong markets doubled.",
        "Share prices of Dandong firms fell.",
        "Listen to the guards, the source said.",
    ],
)
def test_text_lines_resembling_chrome_are_kept(line):
    article = article_from_text(f"Title\n\nTrucks crossed at Hyesan.\n\n{line}\n", "x")
    assert _sections(article, "body")[-1] == line


def test_markdown_headings_lose_their_marks():
    text = "# Trains Return to Manpo\n\n## Timber\n\nTimber trains crossed to Ji'an.\n"
    article = article_from_text(text, "md")
    assert article.title == "Trains Return to Manpo"
    assert _sections(article, "body") == ["Timber", "Timber trains crossed to Ji'an."]
    assert "#" not in article.text


def test_body_sentence_starting_with_by_is_not_a_byline():
    text = "Title\n\nTrucks crossed at Hyesan.\n\nBy September, the trade had stopped.\n"
    article = article_from_text(text, "x")
    assert article.byline == ""
    assert "By September, the trade had stopped." in _sections(article, "body")


def test_published_uses_latest_full_date_when_later_than_mid_year():
    text = "Title\n\nThe bridge closed in 2016.\n\nTrucks crossed again on Sept. 28, 2017.\n"
    article = article_from_text(text, "x")
    assert article.published == date(2017, 9, 28)
    assert article.published_inferred is True


def test_year_less_dates_after_latest_explicit_month_stay_in_its_year():
    text = (
        "Title\n\nThe market closed in September 2016, a source said.\n\n"
        "Boats were seized on Oct. 4 and another was stopped in mid-October.\n"
    )
    article = article_from_text(text, "x")
    assert article.published == date(2016, 9, 30)
    spans = dates_from_text(
        article.sentences[-1].text,
        reference=article.published,
        reference_inferred=article.published_inferred,
    )
    assert [(s.text, s.start) for s in spans] == [
        ("Oct. 4", date(2016, 10, 4)),
        ("mid-October", date(2016, 10, 11)),
    ]


def test_dashes_around_plain_text_are_not_front_matter():
    text = "---\nTrucks crossed at Hyesan on Sept. 28, 2017.\n---\nGuards watched.\n"
    article = article_from_text(text, "x")
    assert "Trucks crossed at Hyesan" in article.text
    assert "---" not in article.text
    assert article.published == date(2017, 9, 28)


def test_unparseable_front_matter_date_falls_back_to_inference(caplog):
    text = "---\npublished: sometime\n---\nTitle\n\nTrade stopped in 2019.\n"
    with caplog.at_level(logging.WARNING, logger="geo.articles"):
        article = article_from_text(text, "x")
    assert article.published == date(2019, 12, 31)  # only a year named: its end
    assert article.published_inferred is True
    assert "sometime" in caplog.text


def test_a_year_part_is_not_a_dated_period():
    article = article_from_text(
        "Title\n\nThe crossing shut in early 2022.\n\nTrucks left on 14 September.\n", "x"
    )
    assert article.published == date(2022, 12, 31)


# --------------------------------------------------------------------------- sentence splitter


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mr. Kim met Dr. Lee. Then left.", ["Mr. Kim met Dr. Lee.", "Then left."]),
        ("The U.N. and U.S. agreed. Talks ended.", ["The U.N. and U.S. agreed.", "Talks ended."]),
        ("Kim J. Un spoke. Crowds came.", ["Kim J. Un spoke.", "Crowds came."]),
        ("It was No. 3 on St. Mark Street. Next.", ["It was No. 3 on St. Mark Street.", "Next."]),
        ("On Jan. 5 and Oct. 2 they came.", ["On Jan. 5 and Oct. 2 they came."]),
        ('He said "stop." They stopped.', ['He said "stop."', "They stopped."]),
        ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
        ("Translated by Leejin Jun. Written by Paul.", ["Translated by Leejin Jun.",
                                                        "Written by Paul."]),
        ("Prices rose 2.5 percent in 2016. 19 factories shut.",
         ["Prices rose 2.5 percent in 2016.", "19 factories shut."]),
        ("Wait... What happened?", ["Wait...", "What happened?"]),
        ("no final punctuation", ["no final punctuation"]),
        ("", []),
    ],
)  # fmt: skip
def test_sentence_splitter(text, expected):
    assert [text[s:e] for s, e in sentences_from_text(text)] == expected


def test_doctests():
    result = doctest.testmod(geo.articles)
    assert result.attempted > 0 and result.failed == 0


def test_footnote_marker_after_a_full_stop_ends_the_sentence():
    article = article_from_text("Wagons stood in the yard in 2019.⁴² The Panel notes more.", "fn")
    assert [s.text for s in article.sentences if s.section == "body"] == [
        "Wagons stood in the yard in 2019.⁴²",
        "The Panel notes more.",
    ]


def test_bracketed_footnote_marker_ends_the_sentence():
    article = article_from_text(
        "Work looked complete in the spring.[43] On 3 July 2025, guards seized a skiff.", "a1"
    )
    first, second = (s.text for s in article.sentences)
    assert first == "Work looked complete in the spring.[43]"
    assert second == "On 3 July 2025, guards seized a skiff."
