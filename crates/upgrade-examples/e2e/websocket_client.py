#!/usr/bin/env python3
"""A websocket client built on the `websockets` library, run against upgrade-server by
`cargo xtask e2e`.

usage: websocket_client.py echo URL     open a websocket, send three messages (text, binary,
                                        non-ASCII text), expect each one echoed back, close
       websocket_client.py refused URL  expect the opening handshake to be refused: no 101

Prints what happened; exits 0 when the expectation holds, 1 when it does not.
"""

import asyncio
import sys

import websockets
from websockets.exceptions import InvalidHandshake

TIMEOUT = 5
MESSAGES = ["first message", b"\x00\x01 second, binary \xff", "third: h\u00e9llo \u2603"]


async def echo(url):
    async with websockets.connect(url, open_timeout=TIMEOUT, close_timeout=TIMEOUT) as ws:
        for message in MESSAGES:
            await ws.send(message)
            answer = await asyncio.wait_for(ws.recv(), TIMEOUT)
            if answer != message:
                print(f"sent {message!r}, got back {answer!r}")
                return 1
            print(f"echoed {answer!r}")
    print(f"closed cleanly after {len(MESSAGES)} echoes")
    return 0


async def refused(url):
    try:
        async with websockets.connect(url, open_timeout=TIMEOUT) as ws:
            print(f"the handshake succeeded, subprotocol {ws.subprotocol!r}: expected a refusal")
            return 1
    except InvalidHandshake as e:
        response = getattr(e, "response", None)
        status = getattr(response, "status_code", None) or getattr(e, "status_code", None)
        print(f"refused: {type(e).__name__}: HTTP {status}: {e}")
        return 0


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("echo", "refused"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, url = sys.argv[1], sys.argv[2]
    print(f"websockets {websockets.__version__}")
    return asyncio.run(echo(url) if mode == "echo" else refused(url))


if __name__ == "__main__":
    sys.exit(main())
