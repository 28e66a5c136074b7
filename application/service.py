"""Every use case in one object: what entrypoints (HTTP, CLI, other programs) call.

System tasks (expiry, purge, import) and sign-in are here too: a program embedding Stockroom
reaches every use case through this one object (docs/embedding.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from application.importing import ImportStockHandler, StockImporter
from application.ports import EventSignal, ExpiredReservations, RecordPurge
from application.queries.catalog import (
    GetItemHandler,
    GetLocationHandler,
    ListItemsHandler,
    ListLocationsHandler,
)
from application.queries.counts import GetCountHandler, ListCountsHandler
from application.queries.events import ReadEventsHandler
from application.queries.lots import GetLotHandler, ListLotLevelsHandler, ListLotsHandler
from application.queries.reservations import GetReservationHandler, ListReservationsHandler
from application.queries.stock import (
    GetMovementHandler,
    ListMovementsHandler,
    ListStockLevelsHandler,
)
from application.queries.transfers import GetTransferHandler, ListTransfersHandler
from application.use_cases.archive_item import ArchiveItemHandler
from application.use_cases.archive_location import ArchiveLocationHandler
from application.use_cases.base import Deps
from application.use_cases.cancel_count import CancelCountHandler
from application.use_cases.cancel_transfer import CancelTransferHandler
from application.use_cases.create_item import CreateItemHandler
from application.use_cases.create_location import CreateLocationHandler
from application.use_cases.create_reservation import CreateReservationHandler
from application.use_cases.expire_reservations import ExpireReservationsHandler
from application.use_cases.extend_reservation import ExtendReservationHandler
from application.use_cases.fulfil_reservation import FulfilReservationHandler
from application.use_cases.log_in import LogInHandler
from application.use_cases.manage_lots import CreateLotHandler, UpdateLotHandler
from application.use_cases.open_count import OpenCountHandler
from application.use_cases.post_count import PostCountHandler
from application.use_cases.post_movement import PostMovementHandler
from application.use_cases.purge import PurgeHandler
from application.use_cases.receive_transfer import ReceiveTransferHandler
from application.use_cases.record_counts import RecordCountsHandler
from application.use_cases.release_reservation import ReleaseReservationHandler
from application.use_cases.reverse_movement import ReverseMovementHandler
from application.use_cases.ship_transfer import ShipTransferHandler
from application.use_cases.update_item import UpdateItemHandler
from application.use_cases.update_location import UpdateLocationHandler
from application.webhooks.delivery import DeliverWebhooksHandler
from application.webhooks.manage import (
    CreateWebhookHandler,
    DeleteWebhookHandler,
    RotateWebhookSecretHandler,
    UpdateWebhookHandler,
)
from application.webhooks.ports import Destinations, SecretBox, WebhookLeases, WebhookSender
from application.webhooks.queries import (
    GetWebhookHandler,
    ListDeliveriesHandler,
    ListWebhooksHandler,
    RedeliverHandler,
    TestWebhookHandler,
)


@dataclass(frozen=True, slots=True)
class StockroomService:
    """The use cases, built once over shared ports; stateless and safe to share."""

    create_item: CreateItemHandler
    update_item: UpdateItemHandler
    archive_item: ArchiveItemHandler
    get_item: GetItemHandler
    list_items: ListItemsHandler
    create_location: CreateLocationHandler
    update_location: UpdateLocationHandler
    archive_location: ArchiveLocationHandler
    get_location: GetLocationHandler
    list_locations: ListLocationsHandler
    list_stock_levels: ListStockLevelsHandler
    list_lot_levels: ListLotLevelsHandler
    create_lot: CreateLotHandler
    update_lot: UpdateLotHandler
    get_lot: GetLotHandler
    list_lots: ListLotsHandler
    post_movement: PostMovementHandler
    get_movement: GetMovementHandler
    list_movements: ListMovementsHandler
    reverse_movement: ReverseMovementHandler
    ship_transfer: ShipTransferHandler
    receive_transfer: ReceiveTransferHandler
    cancel_transfer: CancelTransferHandler
    get_transfer: GetTransferHandler
    list_transfers: ListTransfersHandler
    open_count: OpenCountHandler
    record_counts: RecordCountsHandler
    post_count: PostCountHandler
    cancel_count: CancelCountHandler
    get_count: GetCountHandler
    list_counts: ListCountsHandler
    create_reservation: CreateReservationHandler
    release_reservation: ReleaseReservationHandler
    fulfil_reservation: FulfilReservationHandler
    extend_reservation: ExtendReservationHandler
    get_reservation: GetReservationHandler
    list_reservations: ListReservationsHandler
    expire_reservations: ExpireReservationsHandler
    import_stock: ImportStockHandler
    purge: PurgeHandler
    log_in: LogInHandler
    read_events: ReadEventsHandler
    create_webhook: CreateWebhookHandler
    update_webhook: UpdateWebhookHandler
    delete_webhook: DeleteWebhookHandler
    rotate_webhook_secret: RotateWebhookSecretHandler
    get_webhook: GetWebhookHandler
    list_webhooks: ListWebhooksHandler
    list_deliveries: ListDeliveriesHandler
    redeliver: RedeliverHandler
    test_webhook: TestWebhookHandler
    deliver_webhooks: DeliverWebhooksHandler

    @classmethod
    def build(
        cls,
        deps: Deps,
        *,
        expired: ExpiredReservations,
        importer: StockImporter,
        record_purge: RecordPurge,
        log_in: LogInHandler,
        event_signal: EventSignal,
        secrets: SecretBox,
        destinations: Destinations,
        sender: WebhookSender,
        leases: WebhookLeases,
        event_retention_days: int = 7,
    ) -> StockroomService:
        """Instantiate every use case over the same ports."""
        hooks = (deps, secrets, destinations)
        return cls(
            create_item=CreateItemHandler(deps),
            update_item=UpdateItemHandler(deps),
            archive_item=ArchiveItemHandler(deps),
            get_item=GetItemHandler(deps),
            list_items=ListItemsHandler(deps),
            create_location=CreateLocationHandler(deps),
            update_location=UpdateLocationHandler(deps),
            archive_location=ArchiveLocationHandler(deps),
            get_location=GetLocationHandler(deps),
            list_locations=ListLocationsHandler(deps),
            list_stock_levels=ListStockLevelsHandler(deps),
            list_lot_levels=ListLotLevelsHandler(deps),
            create_lot=CreateLotHandler(deps),
            update_lot=UpdateLotHandler(deps),
            get_lot=GetLotHandler(deps),
            list_lots=ListLotsHandler(deps),
            post_movement=PostMovementHandler(deps),
            get_movement=GetMovementHandler(deps),
            list_movements=ListMovementsHandler(deps),
            reverse_movement=ReverseMovementHandler(deps),
            ship_transfer=ShipTransferHandler(deps),
            receive_transfer=ReceiveTransferHandler(deps),
            cancel_transfer=CancelTransferHandler(deps),
            get_transfer=GetTransferHandler(deps),
            list_transfers=ListTransfersHandler(deps),
            open_count=OpenCountHandler(deps),
            record_counts=RecordCountsHandler(deps),
            post_count=PostCountHandler(deps),
            cancel_count=CancelCountHandler(deps),
            get_count=GetCountHandler(deps),
            list_counts=ListCountsHandler(deps),
            create_reservation=CreateReservationHandler(deps),
            release_reservation=ReleaseReservationHandler(deps),
            fulfil_reservation=FulfilReservationHandler(deps),
            extend_reservation=ExtendReservationHandler(deps),
            get_reservation=GetReservationHandler(deps),
            list_reservations=ListReservationsHandler(deps),
            expire_reservations=ExpireReservationsHandler(deps, expired),
            import_stock=ImportStockHandler(importer, deps.clock, deps.ids),
            purge=PurgeHandler(deps.clock, record_purge, event_retention_days),
            log_in=log_in,
            read_events=ReadEventsHandler(deps, event_signal, timedelta(days=event_retention_days)),
            create_webhook=CreateWebhookHandler(*hooks),
            update_webhook=UpdateWebhookHandler(*hooks),
            delete_webhook=DeleteWebhookHandler(*hooks),
            rotate_webhook_secret=RotateWebhookSecretHandler(*hooks),
            get_webhook=GetWebhookHandler(*hooks),
            list_webhooks=ListWebhooksHandler(*hooks),
            list_deliveries=ListDeliveriesHandler(*hooks),
            redeliver=RedeliverHandler(*hooks),
            test_webhook=TestWebhookHandler(*hooks, sender),
            deliver_webhooks=DeliverWebhooksHandler(deps, leases, secrets, destinations, sender),
        )
