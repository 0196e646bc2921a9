"""Self-registration's pages: the public form (public.py) and the organiser's (organiser.py)."""
