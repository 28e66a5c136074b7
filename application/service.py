"""Every use case in one object: what entrypoints (HTTP, CLI, other programs) call."""

from __future__ import annotations

from dataclasses import dataclass

from application.ports import DueReservations
from application.queries.catalog import GetItem, GetLocation, ListItems, ListLocations
from application.queries.reservations import GetReservation, ListReservations
from application.queries.stock import GetMovement, ListMovements, ListStockLevels
from application.use_cases.archive_item import ArchiveItemHandler
from application.use_cases.archive_location import ArchiveLocationHandler
from application.use_cases.base import Deps
from application.use_cases.create_item import CreateItemHandler
from application.use_cases.create_location import CreateLocationHandler
from application.use_cases.create_reservation import CreateReservationHandler
from application.use_cases.expire_reservations import ExpireReservationsHandler
from application.use_cases.extend_reservation import ExtendReservationHandler
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.release_reservation import ReleaseReservationHandler
from application.use_cases.update_item import UpdateItemHandler
from application.use_cases.update_location import UpdateLocationHandler


@dataclass(frozen=True, slots=True)
class StockroomService:
    """The use cases, built once over shared ports; stateless and safe to share."""

    create_item: CreateItemHandler
    update_item: UpdateItemHandler
    archive_item: ArchiveItemHandler
    get_item: GetItem
    list_items: ListItems
    create_location: CreateLocationHandler
    update_location: UpdateLocationHandler
    archive_location: ArchiveLocationHandler
    get_location: GetLocation
    list_locations: ListLocations
    list_stock_levels: ListStockLevels
    post_movement: PostMovementHandler
    get_movement: GetMovement
    list_movements: ListMovements
    create_reservation: CreateReservationHandler
    release_reservation: ReleaseReservationHandler
    fulfil_reservation: FulfilReservationHandler
    extend_reservation: ExtendReservationHandler
    get_reservation: GetReservation
    list_reservations: ListReservations
    expire_reservations: ExpireReservationsHandler

    @classmethod
    def build(cls, deps: Deps, due: DueReservations) -> StockroomService:
        """Instantiate every use case over the same ports."""
        return cls(
            create_item=CreateItemHandler(deps),
            update_item=UpdateItemHandler(deps),
            archive_item=ArchiveItemHandler(deps),
            get_item=GetItem(deps),
            list_items=ListItems(deps),
            create_location=CreateLocationHandler(deps),
            update_location=UpdateLocationHandler(deps),
            archive_location=ArchiveLocationHandler(deps),
            get_location=GetLocation(deps),
            list_locations=ListLocations(deps),
            list_stock_levels=ListStockLevels(deps),
            post_movement=PostMovementHandler(deps),
            get_movement=GetMovement(deps),
            list_movements=ListMovements(deps),
            create_reservation=CreateReservationHandler(deps),
            release_reservation=ReleaseReservationHandler(deps),
            fulfil_reservation=FulfilReservationHandler(deps),
            extend_reservation=ExtendReservationHandler(deps),
            get_reservation=GetReservation(deps),
            list_reservations=ListReservations(deps),
            expire_reservations=ExpireReservationsHandler(deps, due),
        )
