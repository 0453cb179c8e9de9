"""``python -m bench`` (``make bench``): run every benchmark and write the report."""

from bench.run import main

main()
