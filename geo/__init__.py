"""Border Watch: news reports about North Korea–China border activity, as maps and GeoJSON."""

__version__ = "0.1.0"
