"""The typed resources: `generated/maesn_resources`, emitted beside `generated/maesn_api`.

`scripts/regenerate.py` calls `emit` with the fixed spec after the generator ran. It reads every
operation through the pinned generator's parser (`facts.py`), so names match the generated layer
exactly, and writes one module per resource (spec tag) with the operations' facts as data and a
typed method per operation, sync and async (`render.py`), plus the mixins that give `maesn.Client`
and `maesn.AsyncClient` their resources. The output is formatted with the pinned ruff, the same
way the generator's post hooks format `maesn_api`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from .facts import FactsError, generator_config, read_operations
from .render import group, render_client, render_init, render_resource
from .schemas import FILE_NAME as SCHEMAS_FILE
from .schemas import render_schemas

__all__ = ["PACKAGE", "FactsError", "emit"]

PACKAGE = "maesn_resources"
"""The import name of the typed resources (a sibling of `maesn_api` in `generated/`)."""

_RUFF_COMMANDS = (
    ("check", "--isolated", "--no-cache", "--fix-only", "--extend-select=I", "."),
    ("format", "--isolated", "--no-cache", "."),
)


def _format(package: Path) -> None:
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}
    for arguments in _RUFF_COMMANDS:
        result = subprocess.run(  # noqa: PLW1510 - the return code is checked below
            ["ruff", *arguments],  # noqa: S607 - the pinned ruff, first on PATH
            cwd=package,
            env=env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise FactsError(
                f"ruff {arguments[0]} failed on the typed resources:\n{result.stdout}{result.stderr}"
            )


def emit(
    spec: dict[str, Any],
    destination: Path,
    config_path: Path,
    *,
    published: dict[str, Any] | None = None,
) -> Path:
    """Write the typed resources for `spec` (already fixed) into `destination/maesn_resources`.

    `published` is the spec before the fixes (default: `spec`): the sandbox's response schemas
    (`_schemas.json`) keep its `required` lists and `enum`s.
    """
    operations = read_operations(spec, generator_config(config_path))
    by_resource = group(operations)
    package = destination / PACKAGE
    package.mkdir(parents=True, exist_ok=False)
    for resource, members in by_resource.items():
        (package / f"{resource}.py").write_text(
            render_resource(resource, members), encoding="utf-8"
        )
    resources = list(by_resource)
    (package / "_client.py").write_text(render_client(resources), encoding="utf-8")
    counts = {resource: len(members) for resource, members in by_resource.items()}
    (package / "__init__.py").write_text(render_init(resources, counts), encoding="utf-8")
    (package / "py.typed").write_text("", encoding="utf-8")
    (package / SCHEMAS_FILE).write_text(
        render_schemas(operations, spec if published is None else published, spec),
        encoding="utf-8",
    )
    _format(package)
    return package
