"""What every use case is built from: a unit-of-work factory, a clock and an id source."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports import Clock, IdGenerator, UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class Deps:
    """Collaborators shared by all use cases (composed once by the container)."""

    uow: UnitOfWorkFactory
    clock: Clock
    ids: IdGenerator


class UseCase:
    """Base for use cases: holds ``Deps``; subclasses define ``__call__``."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
