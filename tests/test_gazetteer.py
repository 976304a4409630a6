import pytest

from geo import settings
from geo._errors import GazetteerError
from geo.gazetteer import fold, load_gazetteer, slug


@pytest.fixture(scope="module")
def gazetteer():
    return load_gazetteer()


@pytest.mark.parametrize(
    ("variants"),
    [
        ("Hoeryŏng", "Hoeryong", "Hoeryeong", "HOERYONG", "Hoe-ryong"),
        ("Sinŭiju", "Sinuiju", "Sineuiju"),
        ("Rasŏn", "Rason", "Raseon"),
        ("In'ge-ri", "Inge-ri", "Inge ri", "Inge-ni"),
        ("Ji'an", "Ji’an", "Jian"),
    ],
)
def test_fold_makes_romanizations_equal(variants):
    assert len({fold(v) for v in variants}) == 1


def test_fold_keeps_hangul_and_never_pinyinizes_chinese():
    assert fold("회령") == "회령"
    assert fold("珲春") == "珲春"  # never "huichun": Chinese names match only through aliases


@pytest.mark.parametrize(
    ("name", "gazetteer_id", "country"),
    [
        ("Hoeryŏng", "gn:2044091", "KP"),
        ("회령", "gn:2044091", "KP"),
        ("Sinŭiju", "gn:2040893", "KP"),
        ("Dandong", "gn:2037886", "CN"),
        ("North Korea", "country:KP", "KP"),
        ("DPRK", "country:KP", "KP"),
        ("Tumen River", "bw:tumen-river", "KP"),
        ("Kaesong Industrial Zone", "bw:kaesong-industrial-complex", "KP"),
        ("Rajin-Sonbong", "bw:rason", "KP"),
    ],
)
def test_lookup_finds_the_place_first(gazetteer, name, gazetteer_id, country):
    first = gazetteer.lookup(name)[0]
    assert (first.gazetteer_id, first.country_code) == (gazetteer_id, country)


def test_ambiguous_name_has_all_candidates_curated_first(gazetteer):
    sanhe = gazetteer.lookup("Sanhe")
    assert sanhe[0].gazetteer_id == "gn:2035142"  # the curated Jilin village
    assert any(
        c.gazetteer_id == "gn:1796823" for c in sanhe
    )  # Sanhe, Hebei (pop ~1M) is a candidate


@pytest.mark.parametrize("word", ["Reuters", "Korean", "Chinese", "September", "Committee"])
def test_common_words_are_not_in_the_gazetteer_or_filtered(gazetteer, word):
    from geo.toponyms import not_place_words

    assert not gazetteer.lookup(word) or fold(word) in not_place_words()


def test_estimates_and_placeholders_are_flagged(gazetteer):
    inge = gazetteer.get("bw:inge-ri")
    assert inge.estimate and inge.precision == 2
    assert gazetteer.get("gn:2044091").estimate is False


def test_get_unknown_id_returns_none(gazetteer):
    assert gazetteer.get("gn:0") is None


def test_missing_data_folder_is_a_clear_error(tmp_path):
    with pytest.raises(GazetteerError, match="places.csv.*missing"):
        load_gazetteer(data_folder=tmp_path)


def test_disk_cache_is_written_and_reused(tmp_path, monkeypatch):
    from geo import gazetteer as module

    monkeypatch.setattr(settings, "cache_folder", tmp_path)
    module._load.cache_clear()
    try:
        first = load_gazetteer()
        assert list(tmp_path.glob("gazetteer-*.pickle"))
        module._load.cache_clear()
        second = load_gazetteer()
        assert second is not first and len(second.candidates) == len(first.candidates)
    finally:
        module._load.cache_clear()


def test_slug():
    assert slug("Kaesong Industrial Complex") == "kaesong-industrial-complex"


@pytest.mark.parametrize(
    ("name", "crossing"),
    [
        ("Linjiang bridge", "Linjiang Yalu River Bridge"),
        ("Hyesan-Changbai bridge", "Changbai–Hyesan International Bridge"),
        ("Ji'an–Manpo railway bridge", "Ji'an Yalu River Border Railway Bridge"),
    ],
)
def test_crossings_answer_to_the_names_reporters_use(name, crossing):
    assert crossing in load_gazetteer().lookup(name)[0].name


def test_a_town_with_two_crossings_gets_no_bare_bridge_alias():
    assert load_gazetteer().lookup("Ji'an bridge") == []
