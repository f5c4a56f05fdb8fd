"""A Socket.IO client as MPCSL's UI uses it (python-socketio), for tests/api/socketio.rs.

    socketio_client.py URL TRANSPORT [--token T] [--query 'ticket=…']

Connects to URL (path /socket.io) over one transport (polling or websocket) and prints one JSON
line per happening: {"connected": <transport>} once connected, then {"event": name, "data": …}
for every `dataset`, `experiment` and `job` event. A refused connection prints {"refused":
<the server's reason>} and exits with 3. Closing standard input disconnects and exits.
"""

import argparse
import json
import sys

import socketio


def say(line):
    print(json.dumps(line), flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("transport", choices=["polling", "websocket"])
    parser.add_argument("--token")
    parser.add_argument("--query", default="")
    args = parser.parse_args()

    sio = socketio.Client(reconnection=False)
    # python-socketio's threaded client hands every message to a thread of its own, so events
    # can overtake each other; socket.io-client (MPCSL's UI) handles them in arrival order, and
    # so does this client: handlers run on the read loop.
    trigger = sio.eio._trigger_event
    sio.eio._trigger_event = lambda event, *args, **kwargs: trigger(event, *args, **{**kwargs, "run_async": False})

    def listener(name):
        sio.on(name, lambda data: say({"event": name, "data": data}))

    for name in ("dataset", "experiment", "job"):
        listener(name)

    # The server's reason arrives as the connect_error event's data ({"message": …}).
    reasons = []
    sio.on("connect_error", reasons.append)

    url = args.url + ("?" + args.query if args.query else "")
    auth = {"token": args.token} if args.token else None
    try:
        sio.connect(url, transports=[args.transport], auth=auth, wait_timeout=20)
    except socketio.exceptions.ConnectionError as err:
        reason = reasons[-1] if reasons else None
        say({"refused": reason.get("message") if isinstance(reason, dict) else str(reason or err)})
        sys.exit(3)
    say({"connected": sio.transport()})
    sys.stdin.read()
    sio.disconnect()


if __name__ == "__main__":
    main()
