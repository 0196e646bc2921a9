"""The organiser's pages under `/o` (sign-in with an API key opens a session: see
api.organisers.sessions; the HttpOnly cookie carries the session's random id, never the key).

Salons and import; a salon's dashboard (counts, requests per director with the over-requested
ones highlighted, relaxation bounds on demand, side labels, wish window); solve with live
progress (a refreshing page without JavaScript, polling with it); a schedule's objectives and
bounds, unscheduled wishes with their reasons, publication and every document to download (the
batch PDFs are print jobs of the shared job runner: api.pages.prints).
Domain work goes through api.salons.service; forms carry a token bound to the session (CSRF).

One module per role, each with its own router, which api.app `routers()` lists one by one, in
this order: `signin` (login, logout), `salons` (the salons, a salon's dashboard, settings,
imports, mails and links), `solves` (solve pages), `schedules` (schedule pages, documents and
prints). Shared by them: `shared` (the signed-in organiser, its salon, labels; no router).
"""
