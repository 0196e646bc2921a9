"""What the salon API's routers share: the route class that refuses unknown query parameters
(`StrictQueryRoute`, also the repair API's), the OpenAPI tags and error responses, and the
process's job runner as a dependency (`RunnerDep`). No router."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from enum import Enum
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.routing import APIRoute

from api.errors import DomainError, FieldProblem, error_responses
from api.jobs import JobRunner


class StrictQueryRoute(APIRoute):
    """A route that refuses query parameters it does not take (a typo is not silently ignored)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        self.known_query = {p.alias for p in self.dependant.query_params} | {"lang"}

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            unknown = sorted(set(request.query_params) - self.known_query)
            if unknown:
                raise unknown_query_parameters(unknown)
            return await handler(request)

        return checked


def unknown_query_parameters(names: list[str]) -> DomainError:
    """422 for query parameters the route does not take (a typo would be silently ignored)."""
    return DomainError(
        "invalid_request",
        "Paramètre inconnu : {names}.",
        status=422,
        problems=[FieldProblem(f"query.{name}", "Paramètre inconnu.") for name in names],
        names=", ".join(names),
    )


ORGANISER: list[str | Enum] = ["salons (organiser)"]
PARTICIPANT: list[str | Enum] = ["me (participant)"]
AUTH = error_responses(401, 404, 422)
WRITE = error_responses(401, 404, 409, 422)


def _runner(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.runner
    return runner


RunnerDep = Annotated[JobRunner, Depends(_runner)]
