"""Pipeline throughput: build a synthetic corpus of N articles and print the figures.

The corpus recombines body paragraphs of the seed articles and the evaluation set
(tests/eval/articles), so every synthetic article reads like a real report and names real
places. Run::

    python benchmarks/bench_pipeline.py --n 1000

Targets on a 2-core machine: gazetteer ready in < 3 s (cold, no cache), >= 50 articles/s end
to end, peak memory < 1 GB.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _paragraphs() -> list[str]:
    from geo.articles import read_article

    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted(
        (ROOT / "tests" / "eval" / "articles").glob("*.txt")
    )
    paragraphs = []
    for path in files:
        article = read_article(path)
        body = [s for s in article.sentences if s.section == "body"]
        by_paragraph: dict[int, list[str]] = {}
        for s in body:
            by_paragraph.setdefault(s.paragraph, []).append(s.text)
        paragraphs += [" ".join(v) for v in by_paragraph.values()]
    return paragraphs


def write_corpus(folder: Path, n: int, seed: int = 7) -> None:
    """Write n synthetic articles of 6-12 recombined paragraphs into folder."""
    rng = random.Random(seed)
    paragraphs = _paragraphs()
    for i in range(n):
        year = rng.randint(2016, 2025)
        body = "\n\n".join(rng.sample(paragraphs, k=min(len(paragraphs), rng.randint(6, 12))))
        text = f"---\ntitle: Synthetic report {i}\npublished: {year}-10-15\n---\n{body}\n"
        (folder / f"synthetic_{i:05d}.txt").write_text(text, encoding="utf-8")


def main() -> None:
    """Print gazetteer start-up, throughput and peak memory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of articles")
    args = parser.parse_args()

    from geo import gazetteer, settings
    from geo.pipeline import build

    with tempfile.TemporaryDirectory() as tmp:
        settings.cache_folder = Path(tmp) / "cache"
        t0 = time.perf_counter()
        gazetteer.load_gazetteer()
        cold = time.perf_counter() - t0
        gazetteer._load.cache_clear()
        t0 = time.perf_counter()
        gazetteer.load_gazetteer()
        warm = time.perf_counter() - t0

        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        write_corpus(corpus, args.n)
        size = sum(p.stat().st_size for p in corpus.iterdir())
        t0 = time.perf_counter()
        layers = build(corpus, Path(tmp) / "out")
        elapsed = time.perf_counter() - t0

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"gazetteer ready (cold, no cache): {cold:6.2f} s   (target < 3 s)")
    print(f"gazetteer ready (disk cache):     {warm:6.2f} s")
    print(f"corpus: {args.n} articles, {size / 1e6:.1f} MB")
    print(
        f"built: {len(layers.places)} places, {len(layers.incidents)} incidents, "
        f"{len(layers.routes)} routes, {len(layers.skipped)} skipped"
    )
    print(f"end to end (read, parse, geocode, extract, write store): {elapsed:6.1f} s")
    print(f"throughput: {args.n / elapsed:6.1f} articles/s   (target >= 50)")
    print(f"peak memory (max RSS): {peak_mb:6.0f} MB   (target < 1024)")


if __name__ == "__main__":
    main()
