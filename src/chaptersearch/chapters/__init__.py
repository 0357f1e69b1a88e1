"""Chapters: read from text, fitted to an episode, cut from the talk, placed by title."""
