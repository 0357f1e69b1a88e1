"""What a person sees: the terminal, JSON, the last search, links opened."""
