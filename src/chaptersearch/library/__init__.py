"""The home and what it keeps: library entries, pending marks, safe writes."""
