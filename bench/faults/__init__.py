"""Fault scripts: FieldLine as deployed under database, process, LINE and disk faults (see bench/README.md)."""
