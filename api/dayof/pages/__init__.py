"""The day's pages (one router per role, each listed in api.app.routers): `desk` the
organiser's check-in desk and badges' check-in pages, `attendance` the tables' attendance pages
(secret link or organiser) and a participant's confirmation from its agenda."""
