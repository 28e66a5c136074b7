"""Corrections to the generated OpenAPI document that FastAPI cannot derive from the routes."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

from entrypoints.http.schemas.problems import problem_components, problem_responses

_FASTAPI_422 = "#/components/schemas/HTTPValidationError"


def install_openapi(app: FastAPI) -> None:
    """Register the problem+json schemas, and document FastAPI's default 422 as a problem too
    (errors.py answers every validation error with one)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components.update(problem_components())
            _problem_for_default_422(schema)
            components.pop("HTTPValidationError", None)
            components.pop("ValidationError", None)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def _problem_for_default_422(schema: dict[str, Any]) -> None:
    problem_422 = problem_responses(422)[422]
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            documented = operation.get("responses", {}).get("422", {})
            json_schema = documented.get("content", {}).get("application/json", {}).get("schema")
            if json_schema == {"$ref": _FASTAPI_422}:
                operation["responses"]["422"] = problem_422
