"""A small ASGI app served by Hypercorn (Hypercorn's own quickstart shape: a plain ASGI callable):
a websocket echo at /ws and a plain answer everywhere else. Hypercorn speaks HTTP/1.1, h2c
(upgrade and prior knowledge) and websockets by itself.

usage: hypercorn --bind 127.0.0.1:PORT app:app
"""


async def app(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    elif scope["type"] == "websocket":
        # The first event of a websocket scope is websocket.connect; the answer accepts or not.
        if (await receive())["type"] != "websocket.connect":
            return
        if scope["path"] != "/ws":
            await send({"type": "websocket.close"})
            return
        await send({"type": "websocket.accept"})
        while True:
            message = await receive()
            if message["type"] == "websocket.disconnect":
                return
            if message["type"] != "websocket.receive":
                continue
            if message.get("text") is not None:
                await send({"type": "websocket.send", "text": message["text"]})
            else:
                await send({"type": "websocket.send", "bytes": message.get("bytes") or b""})
    elif scope["type"] == "http":
        while (await receive()).get("more_body"):
            pass
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": b"hello from hypercorn\n"})
