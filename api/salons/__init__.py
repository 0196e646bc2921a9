"""Salons: storage, domain, importers and the JSON API of the meeting scheduler service."""
