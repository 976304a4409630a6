"""The held-out gold sets are well formed (the checks of tests/eval/validate_set.py)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "eval"))
import validate_set  # noqa: E402

SETS = sorted(p for p in Path(__file__).parent.glob("holdout*") if (p / "gold").is_dir())


@pytest.mark.parametrize("folder", SETS, ids=[p.name for p in SETS])
def test_gold_set_is_well_formed(folder):
    assert validate_set.problems(folder) == []
