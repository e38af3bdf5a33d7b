"""A minimal HTTP/1.1 keep-alive server for the benchmarks, run as its own process.

It must never be the bottleneck: a raw asyncio protocol, canned bodies, no framework. It
prints its port on stdout, answers at most ``--max-requests`` requests and exits by itself
after that, after ``--lifetime`` seconds, or when its parent closes stdin.

Modes:

- ``record``: every request gets one transaction in a success envelope (GET or POST alike).
- ``pages``: ``GET ...?start_index=K`` gets a page of ``--page-size`` transactions, with
  ``next_start_index``, ``more`` and ``total`` (``--total`` records in the listing).

``--latency`` delays every answer (without blocking other connections).

Standalone on purpose (no imports from the package), so it starts fast and costs little.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
from urllib.parse import parse_qs, urlsplit

RECORD = {
    "user_id": "u-000123", "user_email": "member123@example.com",
    "user_first_name": "Ada", "user_last_name": "Lovelace",
    "activity_id": "made_a_purchase", "activity_name": "Made a purchase",
    "redemption_id": None, "redemption_name": None, "redemption_value": None,
    "id": "5f3c2a9e8b1d4c0012ab34cd", "approved_time": "30-Mar-16 19:20:22",
    "auto_approval_date": None, "points_status": "approved", "transaction_type": "award",
    "coupon_code": None, "points": 120, "approved_by": "system",
    "created_time": "30-Mar-16 19:20:22", "updated_time": "30-Mar-16 19:21:05",
    "order_id": "A-1001", "reason": None, "returned_for_order_id": None,
    "merchant_id": "partner-1",
}  # fmt: skip


def page_body(start: int, page_size: int, total: int) -> bytes:
    """A transactions listing page at ``start``."""
    count = max(0, min(page_size, total - start))
    items = [dict(RECORD, id=f"tx-{start + i:08d}") for i in range(count)]
    more = start + count < total
    data = {
        "transactions": items,
        "total": total,
        "next_start_index": start + count if more else None,
        "more": more,
    }
    return json.dumps({"success": True, "data": data}, separators=(",", ":")).encode()


def response(body: bytes) -> bytes:
    head = (
        f"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


class Server:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.served = 0
        self.done = asyncio.Event()
        record = json.dumps({"success": True, "data": RECORD}, separators=(",", ":"))
        self.record_response = response(record.encode())
        self.page_cache: dict[int, bytes] = {}

    def answer(self, request_line: bytes) -> bytes:
        if self.args.mode == "record":
            return self.record_response
        target = request_line.split(b" ")[1].decode()
        query = parse_qs(urlsplit(target).query)
        start = int(query.get("start_index", ["0"])[0])
        cached = self.page_cache.get(start)
        if cached is None:
            body = page_body(start, self.args.page_size, self.args.total)
            cached = response(body)
            if len(self.page_cache) < 64:
                self.page_cache[start] = cached
        return cached

    def count(self) -> None:
        self.served += 1
        if self.served >= self.args.max_requests:
            self.done.set()


class Protocol(asyncio.Protocol):
    def __init__(self, server: Server) -> None:
        self.server = server
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.loop = asyncio.get_running_loop()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            marker = head.lower().find(b"content-length:")
            if marker >= 0:
                line_end = head.find(b"\r\n", marker)
                length = int(head[marker + 15 : line_end if line_end >= 0 else None])
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            self.buffer = self.buffer[total:]
            payload = self.server.answer(head[: head.find(b"\r\n")])
            if self.server.args.latency > 0:
                self.loop.call_later(self.server.args.latency, self.write, payload)
            else:
                self.write(payload)

    def write(self, payload: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(payload)
        self.server.count()


async def main(args: argparse.Namespace) -> None:
    server = Server(args)
    loop = asyncio.get_running_loop()
    listener = await loop.create_server(
        lambda: Protocol(server), "127.0.0.1", 0, backlog=1024, reuse_address=True
    )
    port = listener.sockets[0].getsockname()[1]
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    # The parent closing our stdin (or dying) stops us too.
    stdin_closed = loop.run_in_executor(None, sys.stdin.read)
    waiters = [asyncio.ensure_future(server.done.wait()), stdin_closed]
    await asyncio.wait(waiters, timeout=args.lifetime, return_when=asyncio.FIRST_COMPLETED)
    await asyncio.sleep(0.05)  # let the last answers leave
    listener.close()
    sys.stdout.write(f"served {server.served}\n")
    sys.stdout.flush()
    import os

    os._exit(0)  # the stdin reader thread cannot be joined


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--mode", choices=("record", "pages"), default="record")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--max-requests", type=int, default=1_000_000)
    parser.add_argument("--lifetime", type=float, default=600.0)
    parser.add_argument("--page-size", type=int, default=100)
    parser.add_argument("--total", type=int, default=10_000)
    asyncio.run(main(parser.parse_args()))
