"""Search: the query language, ranking by words and by meaning, snippets."""
