"""Benchmark harness (installed as aecodec.bench): codec adapters, metrics, results."""
