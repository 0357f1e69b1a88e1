"""Sources: YouTube videos, transcript files and podcast feeds, each made an Episode."""
