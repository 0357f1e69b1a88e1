"""The Whoosh index: passages cut from chapters, analysed, written and opened."""
