"""Benchmarks (`make bench`): figures printed side by side with a reference, never asserted."""
