"""Production-shaped benchmarks of the MDM server (run by hand: `python -m bench.run`)."""
