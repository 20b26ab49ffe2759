#!/usr/bin/env python3
"""A websocket client built on the `websockets` library, run against upgrade-server by
`cargo xtask e2e`.

usage: websocket_client.py echo URL     open a websocket, send three messages (text, binary,
                                        non-ASCII text), expect each one echoed back, close
       websocket_client.py refused URL  expect the opening handshake to be refused: no 101
       websocket_client.py open URL     expect the opening handshake to succeed (a 101 with the
                                        right Sec-WebSocket-Accept), then stop; for servers that
                                        hand the connection to a websocket library of their own

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


async def opened(url):
    ws = await websockets.connect(url, open_timeout=TIMEOUT, close_timeout=1)
    print(f"opened: the handshake succeeded, state {getattr(ws.state, 'name', ws.state)}")
    # The server may close without a websocket close frame: only the handshake is checked.
    ws.transport.abort()
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
    modes = {"echo": echo, "refused": refused, "open": opened}
    if len(sys.argv) != 3 or sys.argv[1] not in modes:
        print(__doc__, file=sys.stderr)
        return 2
    mode, url = sys.argv[1], sys.argv[2]
    print(f"websockets {websockets.__version__}")
    return asyncio.run(modes[mode](url))


if __name__ == "__main__":
    sys.exit(main())
