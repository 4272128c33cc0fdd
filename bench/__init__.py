"""`make bench`: the kit's speed and quality measurements (numbers, not timed tests)."""
