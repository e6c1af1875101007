"""`maesn.File`: a file to upload, from bytes, a binary file object or a path."""

from __future__ import annotations

import io
import mimetypes
import os
from typing import BinaryIO

from maesn_api.types import File as _GeneratedFile

__all__ = ["File"]


class File(_GeneratedFile):
    """A file for a multipart upload (`post_file_async`, `create_booking_proposal`, ...).

    The generated body models take a `maesn_api.types.File`; this is one that also accepts the
    content as bytes: `maesn.File(b"%PDF...", file_name="receipt.pdf")`, or
    `maesn.File.from_path("receipt.pdf")`. The client reads the whole content before sending, so
    a file object must be open for reading in binary mode until the call returns.
    """

    __slots__ = ()

    def __init__(
        self,
        payload: bytes | bytearray | BinaryIO,
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> None:
        stream: BinaryIO = (
            io.BytesIO(bytes(payload)) if isinstance(payload, bytes | bytearray) else payload
        )
        super().__init__(payload=stream, file_name=file_name, mime_type=mime_type)

    @classmethod
    def from_path(cls, path: str | os.PathLike[str], *, mime_type: str | None = None) -> File:
        """The file at `path`, read now; its name and (guessed) media type go with it."""
        name = os.fspath(path)
        with open(name, "rb") as handle:  # noqa: PTH123 - a plain read of the user's path
            content = handle.read()
        guessed = mime_type or mimetypes.guess_type(name)[0]
        return cls(content, file_name=os.path.basename(name), mime_type=guessed)  # noqa: PTH119
