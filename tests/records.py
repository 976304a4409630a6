"""Hand-built articles and places for the incident and route tests (no gazetteer needed)."""

from __future__ import annotations

import re
from datetime import date

from geo.models import Article, Candidate, Mention, Place, Sentence

# name: (lat, lon, country_code, feature_class)
GAZ = {
    "Hoeryong": (42.44113, 129.74601, "KP", "city"),
    "Sanhe": (42.47532, 129.73585, "CN", "town"),
    "Longjing": (42.77131, 129.42307, "CN", "city"),
    "Inge-ri": (42.44113, 129.74601, "KP", "village"),
    "Rason": (42.35359, 130.40296, "KP", "city"),
    "Jilin": (43.29776, 126.46567, "CN", "province"),
    "Liaoning": (41.1, 122.6, "CN", "province"),
    "North Hamgyong": (41.13700, 129.70255, "KP", "province"),
    "Tumen river": (42.49400, 129.73096, "KP", "river"),
    "China": (36.5, 104.0, "CN", "country"),
    "North Korea": (40.2, 127.2, "KP", "country"),
    "Sinuiju": (40.10056, 124.39806, "KP", "city"),
    "Dandong": (40.12917, 124.39472, "CN", "city"),
    "Friendship Bridge": (40.11644, 124.39058, "CN", "bridge"),
    "Hyesan": (41.40167, 128.17778, "KP", "city"),
    "Changbai": (41.41772, 128.19624, "CN", "town"),
    "Yalu": (41.77696, 126.87988, "KP", "river"),
    "Nampo": (38.73750, 125.40778, "KP", "city"),
    "Dalian": (38.91222, 121.60222, "CN", "city"),
    "Tumen": (42.96562, 129.84199, "CN", "city"),
    "Namyang": (42.95044, 129.85571, "KP", "town"),
    "Panmunjom": (37.95567, 126.67719, "KP", "village"),
    "Paju": (37.75833, 126.77972, "KR", "city"),
    "Khasan": (42.43022, 130.64464, "RU", "town"),
    "Kapsan": (41.08639, 128.29333, "KP", "town"),
    "Tonghua": (41.71972, 125.92972, "CN", "city"),
    "Hunchun": (42.86833, 130.35750, "CN", "city"),
    "Quanhe": (42.46278, 130.56944, "CN", "port_of_entry"),
    "Kaesong Industrial Complex": (37.96056, 126.55750, "KP", "industrial_zone"),
    "Linjiang": (41.80694, 126.90778, "CN", "city"),
    "Manpo": (41.14500, 126.29417, "KP", "city"),
    "Yanji": (42.90750, 129.50778, "CN", "city"),
    "Sakju": (40.38333, 124.91667, "KP", "town"),
    "Kuandian": (40.72861, 124.78472, "CN", "town"),
    "Tumangang": (42.36717, 130.65186, "KP", "town"),
    "Uiju": (40.19944, 124.53167, "KP", "town"),
    "Onsong": (42.95722, 129.99333, "KP", "town"),
    "Kaishantun": (42.71667, 129.70000, "CN", "town"),
    "Kaesong": (37.97083, 126.55444, "KP", "city"),
    "Rajin": (42.24556, 130.29417, "KP", "city"),
    "Rajin port": (42.24556, 130.29417, "KP", "port"),
    "Demilitarized Zone": (38.32, 127.23, "KP", "region"),
    "DMZ": (38.32, 127.23, "KP", "region"),
    "Joint Security Area": (37.95567, 126.67719, "KP", "region"),
}


def make_article(
    body: list[str],
    *,
    caption: str = "",
    title: str = "",
    published: date | None = date(2017, 10, 20),
    article_id: str = "t1",
) -> Article:
    """An Article whose title, caption and body sentences are the given strings."""
    text, sentences = "", []
    for section, items in (("title", [title]), ("caption", [caption]), ("body", body)):
        for item in items:
            if not item:
                continue
            start = len(text)
            text += item + " "
            sentences.append(Sentence(item, start, start + len(item), section))
    return Article(article_id, text, sentences, published=published, title=title)


def make_places(
    article: Article,
    *names: str,
    anchors: dict[str, str] | None = None,
    codes: dict[str, str] | None = None,
) -> list[Place]:
    """Resolved Places for names of GAZ, with a Mention for every occurrence in the article."""
    places = []
    for name in names:
        lat, lon, cc, fc = GAZ[name]
        cc = (codes or {}).get(name, cc)
        mentions = []
        # the name as written, or in capitals as in a wire dateline ("DANDONG, China —")
        for m in re.finditer(rf"\b(?:{re.escape(name)}|{re.escape(name.upper())})\b", article.text):
            idx = next(
                i for i, s in enumerate(article.sentences) if s.start_char <= m.start() < s.end_char
            )
            anchor = (anchors or {}).get(name)
            mentions.append(Mention(name, m.start(), m.end(), idx, anchor=anchor))
        cand = Candidate(f"bw:{name.lower()}", name, lat, lon, cc, fc)
        places.append(Place(name, mentions, cand, 3 if fc in ("country", "province") else 1, 0.9))
    return places
