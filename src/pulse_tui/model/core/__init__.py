"""Small pure-Python pieces every domain uses: clock, units, durations, the sanitiser, time
ranges, the view state.
"""
