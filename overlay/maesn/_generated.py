"""The generated packages maesn is built on, and the check that the importable ones are ours.

The generated low-level client keeps the top-level name its generator gives it, `maesn_api`
(CONTRIBUTING.md says why). Another distribution could install a package of the same name; then
`import maesn` would run on someone else's code and fail somewhere deep, or worse, not fail. Each
generated package carries a `_provenance` module naming the distribution that ships it
(`DISTRIBUTION`, written by scripts/regenerate.py), and importing maesn checks every one of them
first, raising an ImportError that says which package, found where, belongs to whom.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

__all__ = ["DISTRIBUTION", "GENERATED_PACKAGES", "SPEC_SHA256", "generated_provenance"]

#: The distribution that ships maesn and its generated packages.
DISTRIBUTION = "maesn-client"
#: Every package scripts/regenerate.py writes, each with its `_provenance` module.
GENERATED_PACKAGES = ("maesn_api", "maesn_resources")


def _location(name: str) -> str:
    spec = importlib.util.find_spec(name)
    if spec is None:
        return "nowhere"
    if spec.submodule_search_locations:
        return str(next(iter(spec.submodule_search_locations)))
    return str(spec.origin)


def generated_provenance(name: str, distribution: str = DISTRIBUTION) -> ModuleType:
    """`name._provenance`, once it is known to name `distribution`; else a clear ImportError."""
    cure = (
        f"uninstall the distribution that provides it, or install {distribution} into a "
        f"virtual environment of its own (pip install --force-reinstall {distribution})"
    )
    if importlib.util.find_spec(name) is None:
        raise ImportError(f"maesn needs {name!r}, which is not installed: {cure}", name=name)
    where = _location(name)
    try:
        provenance = importlib.import_module(f"{name}._provenance")
    except ModuleNotFoundError as exc:
        if exc.name != f"{name}._provenance":
            raise  # ours, missing one of its own dependencies: that error says it best
        raise ImportError(
            f"the {name!r} package found at {where} is not {distribution}'s generated package "
            f"(it has no {name}._provenance): another distribution installs a package of that "
            f"name; {cure}",
            name=name,
            path=where,
        ) from exc
    owner = getattr(provenance, "DISTRIBUTION", None)
    if owner != distribution:
        raise ImportError(
            f"the {name!r} package found at {where} belongs to {owner or 'another distribution'}"
            f", not to {distribution}; {cure}",
            name=name,
            path=where,
        )
    return provenance


_PROVENANCE = {name: generated_provenance(name) for name in GENERATED_PACKAGES}
#: The sha256 of the OpenAPI spec the installed maesn_api was generated from.
SPEC_SHA256: str = _PROVENANCE["maesn_api"].SPEC_SHA256
_MIXED = sorted(name for name, module in _PROVENANCE.items() if module.SPEC_SHA256 != SPEC_SHA256)
if _MIXED:
    raise ImportError(
        f"the generated packages {', '.join(_MIXED)} and maesn_api come from different specs: "
        "regenerate them together (nox -s regenerate) or reinstall maesn-client",
        name=_MIXED[0],
    )
