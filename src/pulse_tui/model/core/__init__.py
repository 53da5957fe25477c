"""Small pure-Python pieces every domain uses: clock, units, durations, fuzzy matching, the
sanitiser, time ranges, the view state.
"""
