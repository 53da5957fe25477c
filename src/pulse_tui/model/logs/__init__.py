"""Log lines and where they are kept: the line, batches, the packed ring buffer, the time
merge, journald entries, parsing.
"""
