"""Log search: the query and filters, the scanners over packed blocks, the background job,
match navigation.
"""
