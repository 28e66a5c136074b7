"""What every resource router shares: OpenAPI text from use cases, headers, list parameters."""

from __future__ import annotations

import inspect
from typing import Annotated, Any

from fastapi import Query, Response

from application.pagination import MAX_LIMIT
from entrypoints.http.schemas.problems import problem_responses

# Any authenticated operation can be refused for these reasons.
COMMON_ERRORS = problem_responses(401, 429, 503)
# ... and any that reads a JSON body for these.
BODY_ERRORS = (400, 413, 415, 422)

Limit = Annotated[
    int | None,
    Query(ge=1, le=MAX_LIMIT, description=f"Page size, 1-{MAX_LIMIT} (default 50)."),
]
Cursor = Annotated[
    str | None,
    Query(max_length=1024, description="`next_cursor` of the previous page."),
]

_HEADER = {"schema": {"type": "string"}}
ETAG_HEADER = {"ETag": {**_HEADER, "description": 'The resource version, like `"3"`.'}}
REPLAY_HEADER = {
    "Idempotent-Replayed": {
        **_HEADER,
        "description": "`true` when this is the stored answer to an earlier identical request.",
    }
}
LOCATION_HEADER = {"Location": {**_HEADER, "description": "Path of the created resource."}}


def describe(*parts: object) -> str:
    """An operation description from the docstrings of its use case and command."""
    return "\n\n".join(doc for part in parts if (doc := inspect.getdoc(part)))


def success(status: int, description: str, *headers: dict[str, Any]) -> dict[int | str, Any]:
    """The success response entry, documenting the headers it carries."""
    merged: dict[str, Any] = {}
    for header in headers:
        merged.update(header)
    return {status: {"description": description, "headers": merged}}


def created_responses(description: str, *errors: int) -> dict[int | str, Any]:
    """A 201 with ``Location``, ``ETag`` and ``Idempotent-Replayed``, and the problems a create
    may answer besides the common ones: 403, ``errors`` and those of a JSON body."""
    return {
        **success(201, description, LOCATION_HEADER, ETAG_HEADER, REPLAY_HEADER),
        **problem_responses(403, *errors, *BODY_ERRORS),
    }


def versioned_responses(description: str, *errors: int) -> dict[int | str, Any]:
    """A 200 carrying the resource's ``ETag``, and the problems 403, 404 and ``errors``."""
    return {**success(200, description, ETAG_HEADER), **problem_responses(403, 404, *errors)}


def set_etag(response: Response, version: int) -> None:
    """``ETag: "<version>"``, the value ``If-Match`` takes back."""
    response.headers["ETag"] = f'"{version}"'


def mark_replay(response: Response, replayed: bool) -> None:
    """Tell the client this is the stored answer to an earlier request with the same key."""
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"


def mark_created(
    response: Response, location: str, replayed: bool, version: int | None = None
) -> None:
    """The headers of a 201: ``Location``, the ``ETag`` of a versioned resource, and
    ``Idempotent-Replayed`` when this is a stored answer."""
    response.headers["Location"] = location
    if version is not None:
        set_etag(response, version)
    mark_replay(response, replayed)


# If-Match is read by a dependency from the raw headers, so it is documented by hand.
IF_MATCH = {
    "parameters": [
        {
            "name": "If-Match",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
            "example": '"3"',
            "description": "Apply only if the resource is still at this ETag; else 412.",
        }
    ]
}
