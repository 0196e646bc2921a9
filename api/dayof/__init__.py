"""The day itself: badges' check-in codes, arrivals at the desk, attendance of the meetings,
and the no-shows they propose to the repair desk (see each module's docstring)."""
