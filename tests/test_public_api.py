"""The public surface: names, version and spec provenance."""

from __future__ import annotations

from types import ModuleType

import maesn
import maesn_api._provenance


def test_all_lists_exactly_the_public_names() -> None:
    """`maesn.__all__` equals every public name the package exposes, each once."""
    public = {
        name
        for name in dir(maesn)
        if not name.startswith(("_", "@")) and not isinstance(getattr(maesn, name), ModuleType)
    } | {"__version__"}
    assert set(maesn.__all__) == public
    assert len(maesn.__all__) == len(set(maesn.__all__))


def test_version_and_spec_provenance_are_importable() -> None:
    """A pinned install says which client version and which spec it is."""
    assert maesn.__version__
    assert maesn.SPEC_SHA256 == maesn_api._provenance.SPEC_SHA256
    assert len(maesn.SPEC_SHA256) == 64
