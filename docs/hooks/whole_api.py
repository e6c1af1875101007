"""mkdocs hook: the whole-API reference page, written from the generated typed resources.

`docs/reference/api.md` holds a short introduction; at build time this hook appends one section
per resource of `maesn_resources.RESOURCES` (the spec's tags), each rendering the generated
resource class with every operation's signature and docstring (mkdocstrings). Nothing is listed
by hand: after regenerating, a new resource or operation is on the page.
"""

from __future__ import annotations

from typing import Any

import maesn_resources

PAGE = "reference/api.md"


def _title(resource: str) -> str:
    return "".join(part.capitalize() for part in resource.split("_"))


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    """Append the generated sections to the whole-API page."""
    if page.file.src_uri != PAGE:
        return markdown
    sections = [markdown.rstrip(), ""]
    for resource in maesn_resources.RESOURCES:
        title = _title(resource)
        sections += [
            f"## `client.{resource}`",
            "",
            (
                f"`AsyncClient(...).{resource}` is `maesn_resources.{resource}.Async{title}`: "
                "the same methods, awaited."
            ),
            "",
            f"::: maesn_resources.{resource}.{title}",
            "    options:",
            "      show_root_heading: false",
            "      heading_level: 3",
            "",
        ]
    return "\n".join(sections)
