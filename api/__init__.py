"""salon's service layer: settings, storage, routes, auth, background jobs, catalogue, CLI."""
