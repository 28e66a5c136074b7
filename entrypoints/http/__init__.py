"""The HTTP API: app factory, routers, schemas and problem+json errors."""
