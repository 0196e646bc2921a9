"""The salon JSON API (thin: parse, call api.salons.service / self_service, answer).

Organiser routes under `/salons` take `Authorization: Bearer <API key>`; participant routes
under `/me` take `X-Participant-Token: <token of the personal link>`. A salon, participant,
wish, job or schedule that is not the caller's answers 404, like one that does not exist.

One module per role, each with its own router, which api.app `routers()` lists one by one, in
this order:

- `salons`: the organiser, salons, participants and their personal links;
- `wishes`: a salon's wishes, organiser side;
- `solves`: solve jobs and the schedules they make;
- `me`: the participant's self-service.

Shared by them: `routing` (the strict route class, tags, error responses, the job runner).
"""
