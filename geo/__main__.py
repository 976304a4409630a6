"""Command line: ``python -m geo build | export | map | geocode | evaluate``.

Exit codes: 0 success; 1 the command finished but skipped some input (each skipped file is
named on its own line); 2 the command could not run (bad argument, missing folder, …).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from . import settings
from ._errors import GeoError

__all__ = ["main"]

logger = logging.getLogger("geo")


def _build(args: argparse.Namespace) -> int:
    from .pipeline import build

    layers = build(args.articles, args.out, progress=not args.quiet)
    print(
        f"Built {len(layers.articles)} article(s): {len(layers.places)} places, "
        f"{len(layers.incidents)} incidents, {len(layers.routes)} routes -> {args.out}"
    )
    for line in layers.skipped:
        print(f"skipped: {line}", file=sys.stderr)
    return 1 if layers.skipped else 0


def _export(args: argparse.Namespace) -> int:
    from .export import export_layers
    from .pipeline import read_store

    path = export_layers(read_store(args.source), args.out, fmt=args.format)
    print(f"Wrote {args.format} to {path}")
    return 0


def _map(args: argparse.Namespace) -> int:
    from .maps import map_from_layers, save_map
    from .pipeline import read_store

    path = save_map(map_from_layers(read_store(args.source), tiles=not args.no_tiles), args.out)
    print(f"Wrote the map to {path} (works offline)")
    return 0


def _geocode(args: argparse.Namespace) -> int:
    from .gazetteer import load_gazetteer

    gazetteer = load_gazetteer()
    found = 0
    for name in args.names:
        candidates = gazetteer.lookup(name)
        found += bool(candidates)
        if not candidates:
            print(f"{name}: not in the gazetteer")
        for c in candidates[: args.limit]:
            flag = " (estimate)" if c.estimate else ""
            print(
                f"{name}: {c.name} [{c.gazetteer_id}] {c.feature_class}, {c.admin1 or '-'}, "
                f"{c.country_code}  {c.lat:.5f}, {c.lon:.5f}{flag}"
            )
    return 0 if found == len(args.names) else 1


def _evaluate(args: argparse.Namespace) -> int:
    from .evaluate import main_evaluate

    return main_evaluate(args.gold, json_out=args.json)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m geo", description="Border Watch pipeline")
    parser.add_argument("-v", "--verbose", action="store_true", help="log every step")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("build", help="articles -> places/incidents/routes GeoJSON + border.gpkg")
    p.add_argument(
        "--articles", type=Path, default=settings.seeds_folder, help="folder of .txt/.md articles"
    )
    p.add_argument("--out", type=Path, default=settings.build_folder, help="store folder")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_build)

    p = sub.add_parser("export", help="one RFC 7946 FeatureCollection (or CSV/KML) of all layers")
    p.add_argument(
        "--from", dest="source", type=Path, default=settings.build_folder, help="store folder"
    )
    p.add_argument("--out", type=Path, required=True, help="file to write")
    p.add_argument("--format", choices=("geojson", "csv", "kml"), default="geojson")
    p.set_defaults(func=_export)

    p = sub.add_parser("map", help="standalone HTML map that works offline")
    p.add_argument(
        "--from", dest="source", type=Path, default=settings.build_folder, help="store folder"
    )
    p.add_argument("--out", type=Path, required=True, help="HTML file to write")
    p.add_argument("--no-tiles", action="store_true", help="offline basemap only")
    p.set_defaults(func=_map)

    p = sub.add_parser("geocode", help="look names up in the offline gazetteer")
    p.add_argument("names", nargs="+")
    p.add_argument("--limit", type=int, default=5)
    p.set_defaults(func=_geocode)

    p = sub.add_parser("evaluate", help="geoparsing accuracy against the gold set, with a baseline")
    p.add_argument("--gold", type=Path, default=settings.project_folder / "tests" / "eval")
    p.add_argument("--json", type=Path, default=None, help="also write the figures as JSON")
    p.set_defaults(func=_evaluate)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    code
        The exit code (see the module docstring).
    """
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.ERROR,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return args.func(args)
    except GeoError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: {e.filename or ''}: {e.strerror or e}", file=sys.stderr)
        return 2
    except Exception as e:  # never show a traceback to the user unless asked for
        if args.verbose:
            raise
        print(
            f"error: {args.command} failed: {type(e).__name__}: {e} (run with -v for details)",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
