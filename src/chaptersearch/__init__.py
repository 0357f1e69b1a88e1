"""chaptersearch: chapter-aware search for long-form video and podcast transcripts."""

__version__ = "0.1.0"
