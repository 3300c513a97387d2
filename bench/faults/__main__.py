"""`python -m bench.faults`: see bench/README.md."""

from bench.faults.run import main

if __name__ == "__main__":
    raise SystemExit(main())
