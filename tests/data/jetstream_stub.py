#!/usr/bin/python3
"""A Jetstream stand-in the project did not write: Python's `websockets` (Debian's
python3-websockets) serves a recording of Jetstream events on 127.0.0.1, honouring
`cursor` (the first event whose time_us is at or after it) the way Jetstream does, and
answering pings. It prints the port it bound, then serves until killed.

    jetstream_stub.py EVENTS.jsonl [--drop-after N]

With --drop-after N the first connection is cut (no close frame) after N events."""
import asyncio, json, sys, urllib.parse

import websockets


def time_us(line):
    try:
        return int(json.loads(line).get("time_us", 0))
    except (ValueError, AttributeError):
        return 0


async def main():
    lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
    drop_after = int(sys.argv[sys.argv.index("--drop-after") + 1]) if "--drop-after" in sys.argv else 0
    state = {"connections": 0}

    async def serve(ws, path=None):
        path = path or getattr(ws, "path", None) or ws.request.path
        state["connections"] += 1
        query = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)
        cursor = int(query.get("cursor", ["0"])[0])
        start = 0
        while cursor and start < len(lines) and time_us(lines[start]) < cursor:
            start += 1
        print("connection %d from event %d" % (state["connections"], start), file=sys.stderr, flush=True)
        for i, line in enumerate(lines[start:]):
            if drop_after and state["connections"] == 1 and i == drop_after:
                ws.transport.abort()  # gone without a close frame, as Jetstream drops slow clients
                return
            await ws.send(line)
        await ws.close(1000, "end of recording")

    async with websockets.serve(serve, "127.0.0.1", 0, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        await asyncio.Future()


asyncio.run(main())
