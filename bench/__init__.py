"""Benchmarks and development tools: not part of the product (``make bench``)."""
