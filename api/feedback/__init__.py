"""Feedback after a meeting (issue 13, item 7): each side of a held meeting may rate it (1 to
5), tick "we will follow up" and keep a private note, from its agenda.

`tables.py` the rows, `storage.py` their queries (flush only), `service.py` the use cases (which
meetings can be rated, saving, the salon's figures for the report: ratings and follow-ups, never
the notes), `pages.py` the participant's page and form under its personal link.
"""
