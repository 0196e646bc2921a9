"""Suggested meetings: the other side's participants ranked by how well their profiles match."""
