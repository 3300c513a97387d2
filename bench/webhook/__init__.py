"""The webhook benchmark: throughput, latency, loss and duplication, and memory, under gunicorn."""
