"""Profiles' pages: the participant's (participant.py) and the organiser's (organiser.py)."""
