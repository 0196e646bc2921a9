"""The catalogue's HTML pages under /catalogue: server-rendered, usable without JavaScript,
French first (`?lang=en` switches and is remembered in a cookie). One module per role, each with
its own router, which api.app `routers()` lists one by one:

- `public`: the search with facets, event pages (JSON-LD Event), track pages (JSON-LD
  EventSeries), the guide to editions, tracks and formats;
- `contributors`: sign-in by magic link, their events, the event form, submit, withdraw;
- `moderation`: sign-in with an organiser's API key (an organiser's session), the queue, review
  and decisions.

Shared by them: `rendering` (the route class, the page and error page, the labels) and
`event_form` (the event form and an event's page, for contributors and moderators). Every POST
of a signed-in person carries a form token bound to their session (CSRF).
"""
