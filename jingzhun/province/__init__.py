"""Province and national runs: county partitions, county tasks and the global passes across counties."""
