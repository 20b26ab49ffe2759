#!/usr/bin/env python3
"""Headless Chromium driven over the DevTools protocol, run against upgrade-server by
`cargo xtask e2e`.

usage: chromium_page.py URL

Starts headless Chromium with a fresh profile that may contact 127.0.0.1 only, opens URL in a
new tab, and reads the page's title every 50 ms of real time until the page has loaded and its
title is no longer "waiting" (the page sets it when its websocket echo arrives or fails), for at
most TIMEOUT seconds. Then prints the title and the page's DOM, and closes the browser.

Exits 0 when the title changed, 1 when it did not within the time limit or the browser failed.
The page's own script decides what the title says; the caller checks it.
"""

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time

import websockets

TIMEOUT = 10
POLL = 0.05
WAITING = "waiting"

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--no-pings",
    # Only 127.0.0.1 may be contacted: every host name fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    # Any free port; Chromium writes it to DevToolsActivePort in the profile.
    "--remote-debugging-port=0",
]


def devtools_endpoint(profile, browser, deadline):
    """The browser's DevTools websocket URL, once Chromium has written it."""
    path = os.path.join(profile, "DevToolsActivePort")
    while time.monotonic() < deadline:
        if browser.poll() is not None:
            raise RuntimeError(f"chromium exited with status {browser.returncode} at start")
        try:
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
            if len(lines) >= 2 and lines[0].strip() and lines[1].strip():
                return f"ws://127.0.0.1:{lines[0].strip()}{lines[1].strip()}"
        except FileNotFoundError:
            pass
        time.sleep(POLL)
    raise RuntimeError("chromium did not open its DevTools port in time")


class DevTools:
    """One DevTools connection: commands answered in order, events skipped."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0

    async def call(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        await self.ws.send(json.dumps(message))
        while True:
            answer = json.loads(await self.ws.recv())
            if answer.get("id") != self.next_id:
                continue
            if "error" in answer:
                raise RuntimeError(f"{method}: {answer['error']}")
            return answer.get("result", {})

    async def evaluate(self, session, expression):
        result = await self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True},
            session,
        )
        return result.get("result", {}).get("value")


async def watch(endpoint, url, deadline):
    """Opens url in a new tab; returns (changed, title, dom)."""
    async with websockets.connect(endpoint, max_size=None, open_timeout=TIMEOUT) as ws:
        devtools = DevTools(ws)
        target = await devtools.call("Target.createTarget", {"url": url})
        attached = await devtools.call(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        session = attached["sessionId"]
        state = {}
        while True:
            try:
                state = await devtools.evaluate(
                    session,
                    "({url: location.href, ready: document.readyState, title: document.title})",
                ) or {}
            except RuntimeError:
                # No document to evaluate in, as between two navigations: ask again.
                state = {}
            loaded = state.get("url") == url and state.get("ready") == "complete"
            if loaded and state.get("title") != WAITING:
                break
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(POLL)
        try:
            dom = await devtools.evaluate(session, "document.documentElement.outerHTML")
        except RuntimeError as e:
            dom = f"(no DOM: {e})"
        changed = loaded and state.get("title") != WAITING
        try:
            await devtools.call("Browser.close")
        except websockets.ConnectionClosed:
            pass
        return changed, state.get("title"), dom


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    url = sys.argv[1]
    start = time.monotonic()
    deadline = start + TIMEOUT
    with tempfile.TemporaryDirectory(prefix="upgrade-e2e-chromium-") as profile:
        log_path = os.path.join(profile, "chromium.log")
        with open(log_path, "w", encoding="utf-8") as log:
            browser = subprocess.Popen(
                ["chromium", *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            endpoint = devtools_endpoint(profile, browser, deadline)
            changed, title, dom = asyncio.run(
                asyncio.wait_for(watch(endpoint, url, deadline), TIMEOUT + 5)
            )
        except (RuntimeError, OSError, websockets.WebSocketException) as e:
            # OSError includes TimeoutError: DevTools stopped answering.
            print(f"failed: {type(e).__name__}: {e}")
            changed, title, dom = False, None, None
        finally:
            try:
                browser.wait(timeout=5)
            except subprocess.TimeoutExpired:
                browser.kill()
                browser.wait()
        elapsed = time.monotonic() - start
        print(f"title after {elapsed:.2f}s: {title!r}")
        print(dom or "(no DOM)")
        if not changed:
            with open(log_path, encoding="utf-8", errors="replace") as log:
                tail = log.read().splitlines()[-20:]
            print(f"the title did not change from {WAITING!r} within {TIMEOUT}s; chromium said:")
            print("\n".join(tail))
    return 0 if changed else 1


if __name__ == "__main__":
    sys.exit(main())
