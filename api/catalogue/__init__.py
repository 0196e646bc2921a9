"""The event catalogue: events referenced by contributors, moderated by organisers, searched by all.

Layers: `tables` (storage tables), `schemas` (EventCreate/EventUpdate/EventRead...), `storage`
(keyword-only queries), `validation` and `workflow` (business rules), `service` (the use cases
that routes and the CLI call), `search` (full text + facets), `exports` (iCal, CSV, JSON, Atom),
`jsonld` (schema.org), `routes` (JSON API) and `pages` (HTML).
"""

from api.catalogue.loading import load_catalogue_file

__all__ = ["load_catalogue_file"]
