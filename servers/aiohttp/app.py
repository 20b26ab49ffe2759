"""An aiohttp web application, as aiohttp's server quickstart and websockets pages write one:
a websocket echo at /ws and a plain route at /.

usage: python app.py PORT
"""

import sys

from aiohttp import WSMsgType, web


async def hello(request):
    return web.Response(text="hello from aiohttp\n")


async def websocket_echo(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == WSMsgType.TEXT:
            await ws.send_str(msg.data)
        elif msg.type == WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


app = web.Application()
app.add_routes([web.get("/", hello), web.get("/ws", websocket_echo)])

if __name__ == "__main__":
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]))
