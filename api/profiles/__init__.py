"""Participants' profiles: description, offers and needs, keywords, themes, image, links."""
