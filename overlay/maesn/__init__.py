"""maesn-client: a typed client for the asynchronous tasks of the Maesn unified accounting API.

The hand-written overlay (`maesn`) sits on the generated low-level client (`maesn_api`), which is
produced from the pinned OpenAPI spec and never edited by hand.
"""

from maesn_api._provenance import SPEC_SHA256

from ._version import __version__

__all__ = ["SPEC_SHA256", "__version__"]
