"""Example salons, the seeded scripts that make them, the greedy baseline and `make bench`."""
