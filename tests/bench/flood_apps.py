"""Issue 13, attack 5, measured: flood the apps server with widget-state requests and print
its memory (RSS) before, during and after. Figures only, never asserted (the assertions are
in tests/test_apps_bounded.py).

    .venv/bin/python -m tests.bench.flood_apps [SECONDS] [--AppLimits.option=value ...]

It releases the gallery module into a temporary cohort, starts the apps server as
`leerpad start` does (Platform.start_apps), asks for the state of all 729 widgets over and
over without reading, and keeps measuring for 30 s after the client left.
"""

import json
import re
import sys
import time
import uuid

import requests
import websocket

from tests.bench.apps_server import PAGE, rss_mb, started_apps


def message(msg_type, content) -> str:
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "", "version": "5.3"}
    header |= {"session": "flood", "date": ""}
    msg = {"header": header, "parent_header": {}, "metadata": {}, "content": content}
    return json.dumps({**msg, "channel": "shell", "buffers": []})


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    seconds = float(argv[0]) if argv and not argv[0].startswith("--") else 60.0
    options = [a for a in argv if a.startswith("--")]
    with started_apps(options) as (url, pid):
        page = requests.get(url + PAGE, timeout=600).text
        kernel = re.search(r'"kernelId": "([0-9a-f-]+)"', page).group(1)
        print(f"RSS before: {rss_mb(pid)} MB", flush=True)
        ws = websocket.create_connection(
            url.replace("http", "ws") + f"/api/kernels/{kernel}/channels?session_id=x", timeout=60
        )
        ws.send(message("comm_info_request", {"target_name": "jupyter.widget"}))
        while (reply := json.loads(ws.recv()))["header"]["msg_type"] != "comm_info_reply":
            pass
        comms = list(reply["content"]["comms"])
        ws.sock.settimeout(5)
        start, sent = time.monotonic(), 0
        try:
            while time.monotonic() - start < seconds:
                for comm in comms:
                    ws.send(
                        message("comm_msg", {"comm_id": comm, "data": {"method": "request_state"}})
                    )
                    sent += 1
                print(f"  {time.monotonic() - start:5.1f} s: {sent} sent, RSS {rss_mb(pid)} MB")
            print("the client stopped after its time")
        except (OSError, websocket.WebSocketException) as error:
            print(f"the server ended the connection after {sent} messages ({error})")
        ws.sock.close()
        for _ in range(6):
            time.sleep(5)
            print(f"  after the client left: RSS {rss_mb(pid)} MB", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
