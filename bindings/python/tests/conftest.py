"""Where the tests find what they run against, from the environment that
`make check-python` sets: QUELL_LIB (the library, read by the binding
itself), QUELL_BIN (the command, for comparing verdicts) and
QUELL_DEFAULT_RULES (the shipped rules, compiled)."""

import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PKG_ROOT = os.path.dirname(HERE)
# The package from this tree, not one pip may have installed elsewhere.
sys.path.insert(0, PKG_ROOT)


def _need(name):
    value = os.environ.get(name)
    if not value or not os.path.exists(value):
        pytest.exit("set %s to an existing file (make check-python does)" % name, 2)
    return value


@pytest.fixture(scope="session")
def quell_bin():
    return _need("QUELL_BIN")


@pytest.fixture(scope="session")
def default_rules():
    return _need("QUELL_DEFAULT_RULES")


@pytest.fixture(scope="session")
def shipped(default_rules):
    import quell
    return quell.Filter(default_rules)


@pytest.fixture(scope="session")
def pkg_root():
    return PKG_ROOT
