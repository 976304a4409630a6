"""Articles added by the analyst, kept in the store's ``uploads/`` folder.

The app builds an uploaded article first and saves it only if it builds; the saved files are
merged with the store on every start and can be removed again. File names are made safe
(no folders, letters, digits and ``._-`` only), so an upload never writes outside the folder.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

__all__ = ["UPLOAD_SUFFIXES", "remove_upload", "safe_name", "save_upload", "saved_uploads"]

logger = logging.getLogger(__name__)

#: File kinds an upload may have (anything else is saved as .txt).
UPLOAD_SUFFIXES = (".txt", ".md")


def safe_name(name: str) -> str:
    """Return a safe file name for an uploaded article (letters, digits, ``._-``; .txt or .md).

    Parameters
    ----------
    name
        The name the browser sent, possibly with folders or odd characters.

    Returns
    -------
    name
        A bare file name of at most 80 characters plus its suffix.

    Examples
    --------
    >>> safe_name("../Sinuiju report (1).MD"), safe_name("notes")
    ('Sinuiju_report_1.md', 'notes.txt')
    """
    path = Path(name.replace("\\", "/"))
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", path.stem).strip("._-") or "upload"
    suffix = path.suffix.lower() if path.suffix.lower() in UPLOAD_SUFFIXES else ".txt"
    return stem[:80] + suffix


def saved_uploads(folder: str | Path) -> tuple[tuple[str, bytes], ...]:
    """Return (file name, content) of the saved uploads of ``folder``, by name.

    Parameters
    ----------
    folder
        The uploads folder; a missing folder has none.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return ()
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in UPLOAD_SUFFIXES)
    return tuple((p.name, p.read_bytes()) for p in files)


def save_upload(folder: str | Path, name: str, data: bytes) -> Path:
    """Save one article in ``folder`` under its :func:`safe_name`; return the path."""
    path = Path(folder) / safe_name(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    logger.info("Saved the uploaded article %r as %s", name, path)
    return path


def remove_upload(folder: str | Path, name: str) -> None:
    """Delete the saved upload ``name`` from ``folder`` (only a bare name inside it)."""
    (Path(folder) / Path(name).name).unlink(missing_ok=True)
    logger.info("Removed the uploaded article %s", name)
