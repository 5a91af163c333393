#!/usr/bin/python3
"""A Jetstream v2 stand-in the project did not write: Python's `websockets` (Debian's
python3-websockets) and `zstandard` (python3-zstandard) serve a recording of Jetstream v1
events on 127.0.0.1 as v2 messages (network.bsky.jetstream.subscribeEvents, proposal 0015
framing), and publish a zstd dictionary trained on them at
/xrpc/network.bsky.jetstream.getZstdDictionary. As Jetstream v2 does, the stream:
  - refuses v1's filter names (wantedCollections) with a 400;
  - starts at the first event whose time is at or after `cursor` (microseconds);
  - with ?zstdDictionary=ID sends each message as a binary frame, one zstd frame made with
    that dictionary; an ID that is not the current one is refused with a 400
    (UnknownZstdDictionary).
It prints the port it bound, then serves until killed.

    jetstream_v2_stub.py EVENTS.jsonl [--drop-after N] [--retrain-after-first] [--no-dictionary]
                                      [--corrupt-every N] [--too-slow-after N] [--outdated-cursor]

--drop-after N         cuts the first connection (no close frame) after N events
--retrain-after-first  replaces the dictionary (a new id) once the first connection ends
--no-dictionary        the dictionary method answers 404
--corrupt-every N      every Nth compressed message is damaged (a byte flipped)
--too-slow-after N     ends the first connection after N events with an error frame
                       (ConsumerTooSlow), as Jetstream does to a client that falls behind
--outdated-cursor      a connection with a cursor starts with an #info OutdatedCursor message"""
import asyncio, datetime, http, json, sys, urllib.parse

import websockets
import zstandard

SUBSCRIBE = "/xrpc/network.bsky.jetstream.subscribeEvents"
DICTIONARY = "/xrpc/network.bsky.jetstream.getZstdDictionary"


def iso(us):
    t = datetime.datetime.fromtimestamp(us // 1_000_000, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (us % 1_000_000)


def to_v2(line, seq):
    """(time_us, frame) for a v1 event; other lines go out as they are."""
    try:
        ev = json.loads(line)
        us = int(ev["time_us"])
        kind = ev["kind"]
    except (ValueError, KeyError, TypeError):
        return 0, line
    payload = {"$type": "network.bsky.jetstream.subscribeEvents#" + kind, "seq": seq,
               "did": ev.get("did"), "time": iso(us), "witnessedAt": iso(us)}
    if kind == "commit":
        for k, v in ev.get("commit", {}).items():
            payload[k] = v
    return us, json.dumps({"$type": "message", "payload": payload}, ensure_ascii=False,
                          separators=(",", ":"))


def arg(name, default):
    return int(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


async def main():
    lines = [l.rstrip("\n") for l in open(sys.argv[1], encoding="utf-8")]
    events = [to_v2(l, i + 1) for i, l in enumerate(lines)]
    drop_after = arg("--drop-after", 0)
    too_slow_after = arg("--too-slow-after", 0)
    corrupt_every = arg("--corrupt-every", 0)
    samples = [f.encode() for _, f in events]

    def train(dict_id):
        return zstandard.train_dictionary(16384, samples, dict_id=dict_id)

    state = {"connections": 0, "dict": train(20260811), "sent": 0}

    async def process_request(path, headers):
        url = urllib.parse.urlparse(path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == DICTIONARY:
            if "--no-dictionary" in sys.argv:
                return http.HTTPStatus.NOT_FOUND, [], b'{"error":"NotFound"}'
            d = state["dict"]
            return http.HTTPStatus.OK, [("Content-Type", "application/octet-stream"),
                                        ("x-zstd-dictionary-id", str(d.dict_id()))], d.as_bytes()
        if url.path != SUBSCRIBE:
            return http.HTTPStatus.NOT_FOUND, [], b'{"error":"NotFound"}'
        if "wantedCollections" in query or "wantedDids" in query:
            return http.HTTPStatus.BAD_REQUEST, [], b'{"error":"InvalidRequest","message":"use collections"}'
        wanted = query.get("zstdDictionary", [None])[0]
        if wanted is not None and int(wanted) != state["dict"].dict_id():
            print("refused dictionary %s" % wanted, file=sys.stderr, flush=True)
            return http.HTTPStatus.BAD_REQUEST, [], json.dumps(
                {"error": "UnknownZstdDictionary",
                 "message": "current id %d" % state["dict"].dict_id()}).encode()
        return None

    async def serve(ws, path=None):
        path = path or ws.path
        state["connections"] += 1
        n = state["connections"]
        query = urllib.parse.parse_qs(urllib.parse.urlparse(path).query)
        cursor = int(query.get("cursor", ["0"])[0])
        compressor = None
        if "zstdDictionary" in query:
            compressor = zstandard.ZstdCompressor(dict_data=state["dict"], write_content_size=True)
        start = 0
        while cursor and start < len(events) and events[start][0] < cursor:
            start += 1
        print("connection %d from event %d %s %s" % (n, start, "compressed" if compressor else "plain",
                                                     ",".join(query.get("collections", []))),
              file=sys.stderr, flush=True)
        def pack(frame):
            return compressor.compress(frame.encode()) if compressor else frame

        try:
            if cursor and "--outdated-cursor" in sys.argv:
                await ws.send(pack(json.dumps({"$type": "message", "payload": {
                    "$type": "network.bsky.jetstream.subscribeEvents#info", "name": "OutdatedCursor",
                    "message": "cursor is before the lookback floor; resuming at seq %d" % (start + 1)}})))
            for i, (_, frame) in enumerate(events[start:]):
                if too_slow_after and n == 1 and i == too_slow_after:
                    await ws.send(pack(json.dumps({"$type": "error", "error": "ConsumerTooSlow",
                                                   "message": "the client fell too far behind"})))
                    await ws.close(1008, "too slow")
                    return
                if drop_after and n == 1 and i == drop_after:
                    ws.transport.abort()  # gone without a close frame
                    return
                if compressor:
                    data = compressor.compress(frame.encode())
                    state["sent"] += 1
                    if corrupt_every and state["sent"] % corrupt_every == 0:
                        data = data[:-6] + bytes([data[-6] ^ 0xFF]) + data[-5:]
                    await ws.send(data)
                else:
                    await ws.send(frame)
            await ws.close(1000, "end of recording")
        finally:
            if n == 1 and "--retrain-after-first" in sys.argv:
                state["dict"] = train(20261201)

    async with websockets.serve(serve, "127.0.0.1", 0, max_size=None, subprotocols=["xrpc.v1.json"],
                                process_request=process_request) as server:
        port = server.sockets[0].getsockname()[1]
        print(port, flush=True)
        await asyncio.Future()


asyncio.run(main())
