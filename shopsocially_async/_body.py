"""Reading a response body: ``Content-Encoding`` decoding and the size limit, for every engine.

Engines hand over the raw bytes as they arrive (their own decompression switched off), so a
body decodes identically whatever carried it, and the limit is counted on the decoded bytes
*while* they are produced: a gzip bomb is refused after ``limit`` bytes, it never
materialises. Decoding is pure and synchronous; :func:`read_body` drives it from an engine's
async chunk iterator.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterable

__all__ = [
    "ACCEPT_ENCODING",
    "DEFAULT_MAX_RESPONSE_BYTES",
    "BodyDecoder",
    "BodyError",
    "BodyTooLarge",
    "decode_body",
    "read_body",
]

#: What the client advertises: exactly what :class:`BodyDecoder` can decode.
ACCEPT_ENCODING = "gzip, deflate"
#: The default response size limit, counted after decompression.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024


class BodyError(Exception):
    """The body cannot be decoded per its ``Content-Encoding`` (internal; mapped by the
    client to ``ResponseValidationError``)."""


class BodyTooLarge(BodyError):
    """The decoded body exceeds the limit."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the response body exceeds the {limit:,}-byte limit")
        self.limit = limit


class _Inflate:
    """One zlib stage; ``deflate`` accepts both zlib-wrapped and raw streams, as browsers do."""

    def __init__(self, encoding: str) -> None:
        self._encoding = encoding
        wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._inflater = zlib.decompressobj(wbits)
        self._first = True

    def decode(self, data: bytes, room: int) -> bytes:
        """Up to ``room + 1`` decoded bytes of ``data`` (one more than fits tells "too large")."""
        if not data:
            return b""
        try:
            out = self._inflater.decompress(data, room + 1)
        except zlib.error:
            if not (self._first and self._encoding == "deflate"):
                raise BodyError(f"the body is not valid {self._encoding} data") from None
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate, no header
            out = self._inflater.decompress(data, room + 1)
        self._first = False
        return out

    def flush(self) -> bytes:
        if self._first:
            return b""  # an empty body, whatever its declared encoding
        if not self._inflater.eof and self._encoding != "deflate":
            raise BodyError(f"the {self._encoding} body is truncated")
        return self._inflater.flush()


def _stages(content_encoding: str | None) -> list[_Inflate]:
    """The decoders for a ``Content-Encoding`` value, in the order to apply them."""
    if not content_encoding:
        return []
    names = [name.strip().lower() for name in content_encoding.split(",")]
    stages = []
    for name in reversed(names):  # the last encoding applied is undone first
        if name in ("", "identity"):
            continue
        if name not in ("gzip", "x-gzip", "deflate"):
            raise BodyError(f"unsupported Content-Encoding {name!r}")
        stages.append(_Inflate(name))
    return stages


class BodyDecoder:
    """Feed raw chunks, get the decoded body; refuses more than ``limit`` decoded bytes."""

    def __init__(self, content_encoding: str | None, limit: int) -> None:
        self._stages = _stages(content_encoding)
        self._limit = limit
        self._size = 0
        self._chunks: list[bytes] = []

    def feed(self, chunk: bytes) -> None:
        self._keep(self._decode(chunk, self._stages))

    def _decode(self, chunk: bytes, stages: list[_Inflate]) -> bytes:
        # Every stage is bounded by the room left, so no stage (a gzip inside a gzip
        # included) ever produces more than the limit allows.
        for stage in stages:
            room = self._limit - self._size
            chunk = stage.decode(chunk, room)
            if len(chunk) > room:
                raise BodyTooLarge(self._limit)
        return chunk

    def _keep(self, chunk: bytes) -> None:
        if not chunk:
            return
        self._size += len(chunk)
        if self._size > self._limit:
            raise BodyTooLarge(self._limit)
        self._chunks.append(chunk)

    def finish(self) -> bytes:
        """The whole decoded body (a single chunk is returned without copying)."""
        for index, stage in enumerate(self._stages):
            self._keep(self._decode(stage.flush(), self._stages[index + 1 :]))
        chunks, self._chunks = self._chunks, []
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def decode_body(raw: bytes, content_encoding: str | None, limit: int) -> bytes:
    """Decode a body read whole (its raw size already known to be within ``limit``)."""
    if not content_encoding:
        return raw
    decoder = BodyDecoder(content_encoding, limit)
    decoder.feed(raw)
    return decoder.finish()


async def read_body(
    chunks: AsyncIterable[bytes], content_encoding: str | None, limit: int
) -> bytes:
    """Read and decode a whole body from an engine's raw chunk iterator."""
    decoder = BodyDecoder(content_encoding, limit)
    async for chunk in chunks:
        decoder.feed(chunk)
    return decoder.finish()
