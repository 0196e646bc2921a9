"""Organiser accounts and their API keys (the authenticated side of the service)."""
