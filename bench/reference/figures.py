"""What every reference program shares: its settings from the environment (the names the services use), the
latency it measured after warm-up, and the figures file it writes when it stops (SIGTERM), read by the benchmark."""
import json
import os
import signal
import time
from datetime import datetime


def setting(name, default=None):
    value = os.environ.get(name, default)
    if value is None:
        raise SystemExit(f"error: {name} is not set")
    return value


def address():
    host, _, port = setting("REDIS_ADDR").rpartition(":")
    return host or "127.0.0.1", int(port)


def micros_since(timestamp):
    """Now minus an ISO 8601 timestamp (the wire format's `timestamp`), in microseconds, on the wall clock the
    publisher stamped it with."""
    sent = datetime.fromisoformat(timestamp).timestamp()
    return (time.time() - sent) * 1e6


class Stop:
    """Set by SIGTERM; the loops look at it between messages and at their idle time-outs."""

    def __init__(self):
        self.requested = False
        signal.signal(signal.SIGTERM, self._set)
        signal.signal(signal.SIGINT, self._set)

    def _set(self, *_):
        self.requested = True


class Latencies:
    """Latencies in microseconds, leaving out the first STATS_WARMUP seconds after the first message."""

    def __init__(self):
        self.warmup = float(setting("STATS_WARMUP_SECONDS", "2"))
        self.first = None
        self.values = []
        self.handled = 0

    def add(self, micros):
        now = time.monotonic()
        self.handled += 1
        if self.first is None:
            self.first = now
        if now - self.first >= self.warmup:
            self.values.append(micros)

    def write(self, extra=None):
        values = sorted(self.values)

        def at(q):
            return round(values[min(len(values) - 1, int(q * len(values)))] / 1000, 4) if values else 0

        figures = {"handled": self.handled, "count": len(values), "p50Ms": at(0.50), "p99Ms": at(0.99),
                   "p999Ms": at(0.999), "maxMs": round(values[-1] / 1000, 4) if values else 0}
        figures.update(extra or {})
        with open(setting("STATS_FILE"), "w") as file:
            json.dump(figures, file)


def ready():
    print("ready", flush=True)
