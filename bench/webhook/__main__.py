"""`python -m bench.webhook`: see bench/README.md."""

from bench.webhook.run import main

if __name__ == "__main__":
    raise SystemExit(main())
