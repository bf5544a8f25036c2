#!/usr/bin/python3
"""The bare reliable queue consumer in python3-redis: BLMOVE the next item into its own processing list, read its
timestamp, LREM it. At least once and nothing else (no doorbell, no batches, no retries): the floor for a queue."""
import json

import redis

from figures import Latencies, Stop, address, micros_since, ready, setting

stop = Stop()
host, port = address()
client = redis.Redis(host=host, port=port)
queue = setting("QUEUE")
processing = "{" + queue + "}:processing:reference"
latencies = Latencies()
ready()
while not stop.requested:
    item = client.blmove(queue, processing, 0.2, "LEFT", "RIGHT")
    if item is not None:
        latencies.add(micros_since(json.loads(item)["timestamp"]))
        client.lrem(processing, 1, item)
latencies.write()
