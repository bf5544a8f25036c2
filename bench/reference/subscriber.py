#!/usr/bin/python3
"""The one-thread python3-redis subscriber: SUBSCRIBE CHANNEL, read each message's timestamp, nothing else.
This machine's floor for a pub/sub client (one thread, one wake-up per message)."""
import json

import redis

from figures import Latencies, Stop, address, micros_since, ready, setting

stop = Stop()
host, port = address()
client = redis.Redis(host=host, port=port)
pubsub = client.pubsub(ignore_subscribe_messages=True)
pubsub.subscribe(setting("CHANNEL"))
latencies = Latencies()
ready()
while not stop.requested:
    message = pubsub.get_message(timeout=0.2)
    if message is not None:
        latencies.add(micros_since(json.loads(message["data"])["timestamp"]))
latencies.write()
