r"""Case-insensitive patterns that scan lower-cased text: the same matches, about 4x faster.

Python's ``re.IGNORECASE`` compares every character through Unicode case tables, which makes
long alternations (the incident vocabulary holds hundreds of cue wordings) slow to scan. A
:class:`CaselessPattern` keeps the case-insensitive pattern and a lower-cased copy compiled
without the flag. The copy scans ``text.lower()`` to find where a match can start; the
case-insensitive pattern then matches at that offset in the original text, so the match
objects (offsets, groups, text) are exactly those of ``re.finditer`` on the original.

The copy finds every offset the original matches at (it may find more: those are checked and
dropped) as long as lower-casing keeps each character's offset and its case-insensitive
class. Text holding a character that does not (``"İ".lower()`` is two characters, ``"ſ"``
matches ``s`` only case-insensitively) is scanned with the original pattern.

>>> cue = CaselessPattern(r"\b(?:smuggl\w*|MDL)")
>>> [m.group() for m in cue.finditer("Smugglers crossed the MDL; smuggling went on.")]
['Smugglers', 'MDL', 'smuggling']
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

__all__ = ["CaselessPattern"]


class CaselessPattern:
    """A case-insensitive regular expression with a fast scan.

    Parameters
    ----------
    source
        The expression; it is compiled with ``re.IGNORECASE``. Inline ``(?-i:...)`` groups
        keep their meaning for the matches (the fast scan treats them as caseless and the
        exact pattern decides).
    """

    __slots__ = ("folded", "pattern")

    def __init__(self, source: str) -> None:
        self.pattern = re.compile(source, re.IGNORECASE)
        self.folded = re.compile(_lower_source(source))

    def finditer(self, text: str, pos: int = 0) -> Iterator[re.Match[str]]:
        """Yield the non-overlapping matches in ``text`` from ``pos``, as ``re`` does."""
        lowered = text.lower()
        if len(lowered) != len(text) or not _folds_safely(text):
            yield from self.pattern.finditer(text, pos)
            return
        position = pos
        while (candidate := self.folded.search(lowered, position)) is not None:
            match = self.pattern.match(text, candidate.start())
            if match is None:
                position = candidate.start() + 1
                continue
            yield match
            position = max(match.end(), match.start() + 1)

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        """Return the first match in ``text`` from ``pos``, as ``re.Pattern.search`` does."""
        return next(self.finditer(text, pos), None)


def _lower_source(source: str) -> str:
    r"""Lower-case an expression's literal characters, keeping escapes (``\S``, ``\W``...)."""
    parts = re.split(r"(\\.)", source, flags=re.DOTALL)
    return "".join(part if part.startswith("\\") else part.lower() for part in parts)


def _folds_safely(text: str) -> bool:
    return text.isascii() or all(_char_folds_safely(c) for c in set(text) if not c.isascii())


@cache
def _char_folds_safely(char: str) -> bool:
    """Whether lower-casing ``char`` keeps its length and its case-insensitive class."""
    lowered = char.lower()
    return (
        len(lowered) == 1 and lowered.upper().lower() == lowered and char.upper().lower() == lowered
    )
