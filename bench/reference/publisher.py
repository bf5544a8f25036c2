#!/usr/bin/python3
"""The reference publisher every consumer of a latency run is fed by: PUBLISH_RATE messages a second for DURATION
seconds, paced on an absolute schedule, each stamped just before it is written (so the latency is the consumer's,
not the pacing's). How late the pacing thread was is written on its own. Commands go out on a raw socket without
waiting for their replies (read as they come), so one thread keeps 10,000 msg/s. PATTERN=queue pushes onto QUEUE
and rings its doorbell right behind, as our publisher does."""
import json
import os
import socket
import time
import uuid
from datetime import datetime, timezone

from figures import address, setting


def command(*parts):
    encoded = [p if isinstance(p, bytes) else str(p).encode() for p in parts]
    return b"".join([b"*%d\r\n" % len(encoded)] + [b"$%d\r\n%s\r\n" % (len(p), p) for p in encoded])


rate = float(setting("PUBLISH_RATE"))
duration = float(setting("DURATION_SECONDS"))
pattern = setting("PATTERN", "pubsub")
size = int(setting("MESSAGE_SIZE", "0"))
channel = setting("CHANNEL") if pattern == "pubsub" else None
queue = setting("QUEUE") if pattern == "queue" else None
doorbell = ("{" + queue + "}:doorbell") if queue else None
sender = "reference-" + uuid.uuid4().hex[:6]

sock = socket.create_connection(address())
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
replies_expected = 0
replies_seen = 0
late = []
start = time.monotonic() + 0.05
count = int(rate * duration)
for n in range(1, count + 1):
    due = start + (n - 1) / rate
    wait = due - time.monotonic()
    if wait > 0.001:
        time.sleep(wait - 0.0005)
    while time.monotonic() < due:
        pass
    late.append(time.monotonic() - due)
    content = f"Message #{n}"
    if size > len(content):
        content = content.ljust(size, ".")
    body = json.dumps({"id": f"{sender}-{n}", "content": content,
                       "timestamp": datetime.now(timezone.utc).isoformat(), "sender": sender, "seq": n})
    if queue:
        sock.sendall(command("RPUSH", queue, body) + command("PUBLISH", doorbell, ""))
        replies_expected += 2
    else:
        sock.sendall(command("PUBLISH", channel, body))
        replies_expected += 1
    sock.setblocking(False)
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            replies_seen += chunk.count(b"\r\n")
    except BlockingIOError:
        pass
    sock.setblocking(True)

sock.settimeout(10)
while replies_seen < replies_expected:
    replies_seen += sock.recv(65536).count(b"\r\n")
late.sort()
with open(setting("STATS_FILE"), "w") as file:
    json.dump({"sent": count, "lateP50Ms": round(late[len(late) // 2] * 1000, 4),
               "lateP99Ms": round(late[min(len(late) - 1, int(len(late) * 0.99))] * 1000, 4),
               "lateMaxMs": round(late[-1] * 1000, 4)}, file)
os._exit(0)
