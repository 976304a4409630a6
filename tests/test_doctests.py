"""Run the Examples in every geo module's docstrings."""

import doctest
import importlib
import pkgutil

import pytest

import geo

MODULES = sorted(
    m.name for m in pkgutil.iter_modules(geo.__path__, "geo.") if m.name != "geo.__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
