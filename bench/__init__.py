"""Benchmarks of FieldLine (see bench/README.md)."""
