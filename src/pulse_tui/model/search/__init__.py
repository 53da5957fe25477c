"""Log search: the query, the scanners over packed blocks, match navigation."""
