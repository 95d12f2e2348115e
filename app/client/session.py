"""One console's connection to the city: the hub transport plus the local cache.

`ConsoleSession` is the Qt-free heart of a console. It opens the cache first (so the window
shows the last known incidents at once, even with the hub down), then connects to the hub.
Everything it learns reaches `on_batch(batch)`, called from its worker threads: the Qt side
must hop it onto the GUI thread (widgets.session_bridge does).

Commands follow the outbox rule: written to the cache first, sent only once on disk,
resent until the hub answers, across restarts; the answer removes them. `issue` never waits
on the disk: a command is queued once a batch lists it in `pending_commands` (delivered
after its outbox row is on disk), and a view says "pending" or "sent" only from then on.
An answer that means "try later" (the hub's database is failing) leaves it queued.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from app import domain, protocol
from app.client.cache import CachedState, CacheStore
from app.client.state import ClientBatch
from app.client.transport import ClientTransport
from app.ports import HubPorts

log = logging.getLogger(__name__)


class ConsoleSession:
    def __init__(
        self,
        ports: HubPorts,
        cache_path: Path,
        on_batch: Callable[[ClientBatch], None],
        *,
        operator: str = "operator",
        client_name: str = "console",
        offline_after: float = 2.5,
    ):
        self.ports = ports
        self.operator = operator
        self.client_name = client_name
        self.on_batch = on_batch
        self.offline_after = offline_after
        self.cache = CacheStore(cache_path)
        self.transport: ClientTransport | None = None
        self._started = threading.Event()
        self._closed = False

    def start(self) -> None:
        """Load the cache (delivered as a from_cache batch), then connect to the hub."""
        self.cache.load(self._on_cache_loaded)

    def _on_cache_loaded(self, state: CachedState) -> None:  # store thread
        if state.incidents or state.outbox or state.cameras:
            log.info(
                "cache: %d incidents, %d cameras, %d queued commands (saved %s)",
                len(state.incidents),
                len(state.cameras),
                len(state.outbox),
                time.strftime("%H:%M:%S", time.localtime(state.saved_at)) if state.saved_at else "never",
            )
        self.on_batch(
            ClientBatch(
                reset=True,
                from_cache=True,
                incidents=state.incidents,
                cameras=state.cameras,
                sensors=state.sensors,
                layouts=state.layouts,
                walls=state.walls,
                pending_commands=list(state.outbox),
                resume=state.resume,
            )
        )
        if self._closed:
            return
        self.transport = ClientTransport(
            self.ports,
            self._on_transport_batch,
            client_name=self.client_name,
            offline_after=self.offline_after,
            resume=state.resume,
        )
        for command in state.outbox:
            self.transport.send_command(command)
        self.transport.start()
        self._started.set()

    def _on_transport_batch(self, batch: ClientBatch) -> None:  # IO thread
        self.cache.apply_batch(batch)
        done = [r.cmd_id for r in batch.replies if not r.retry_later]
        if done:
            self.cache.remove_from_outbox(done)
        self.on_batch(batch)

    def wait_started(self, timeout: float = 10.0) -> bool:
        return self._started.wait(timeout)

    # --- commands (any thread) ----------------------------------------------------------------
    def issue(
        self,
        kind: domain.CommandKind,
        incident_id: str,
        *,
        text: str = "",
        expected_revision: int | None = None,
        operator: str = "",
        **arguments,
    ) -> domain.Command:
        """Queue an operator command durably, then send it (any thread; returns at once).
        The command is not queued yet when this returns: it is once on_batch receives it in
        `pending_commands` (or in `unsaved_commands` if the disk write failed: then it is sent
        without a copy on disk, lost if the console stops before the hub answers).
        `arguments` are the optional Command fields (units, step_id, until, override, target_id);
        `operator` defaults to this console's operator (a handover is acknowledged by the
        incoming one at the same desk)."""
        command = domain.Command(
            cmd_id=protocol.new_id(),
            kind=kind,
            incident_id=incident_id,
            operator=operator or self.operator,
            issued=time.time(),
            text=text,
            expected_revision=expected_revision,
            **arguments,
        )
        self.cache.add_to_outbox(command, self._send_when_stored)
        return command

    # --- video walls ---------------------------------------------------------------------------
    def share_layout(self, layout) -> domain.Command:
        """Publish a named wall layout through the hub, to every console."""
        return self.issue("layout_share", "", text=layout.name, payload=protocol.pack(layout))

    def push_to_wall(self, wall: str, layout) -> domain.Command:
        """Show `layout` on wall display `wall` (a supervisor's command)."""
        return self.issue("wall_push", "", text=wall, payload=protocol.pack(layout))

    def push_camera_to_wall(self, wall: str, camera_id: str, tile: int = -1) -> domain.Command:
        """Put one camera into one tile of wall display `wall` (-1: its first free tile)."""
        return self.issue("wall_camera", "", text=wall, target_id=camera_id, tile=tile)

    def acknowledge(self, incident_id: str, expected_revision: int | None = None) -> domain.Command:
        return self.issue("ack", incident_id, expected_revision=expected_revision)

    def dispatch(
        self, incident_id: str, units: tuple[str, ...], text: str = "", expected_revision: int | None = None
    ) -> domain.Command:
        return self.issue("dispatch", incident_id, units=tuple(units), text=text, expected_revision=expected_revision)

    def sop_step(self, incident_id: str, step_id: str) -> domain.Command:
        # No revision guard: ticking a checklist step never conflicts with another action.
        return self.issue("sop_step", incident_id, step_id=step_id)

    def resolve(
        self, incident_id: str, text: str = "", override: bool = False, expected_revision: int | None = None
    ) -> domain.Command:
        return self.issue("resolve", incident_id, text=text, override=override, expected_revision=expected_revision)

    def shelve(
        self, incident_id: str, reason: str, until: float, expected_revision: int | None = None
    ) -> domain.Command:
        return self.issue("shelve", incident_id, text=reason, until=until, expected_revision=expected_revision)

    def hand_over(self, record_id: str, notes: str) -> domain.Command:
        return self.issue("handover", record_id, text=notes)

    def acknowledge_handover(self, record_id: str, incoming_operator: str) -> domain.Command:
        return self.issue("handover_ack", record_id, operator=incoming_operator)

    def _send_when_stored(self, command: domain.Command, stored: bool) -> None:  # store thread
        # Told before it is sent, so a view never sees the answer before the "queued".
        self.on_batch(ClientBatch(pending_commands=[command]) if stored else ClientBatch(unsaved_commands=[command]))
        # Before the cache has loaded, the load itself picks the command up from the outbox
        # (same thread, queued earlier), so there is nothing to send here.
        if self._started.is_set() and self.transport is not None and not self._closed:
            self.transport.send_command(command)

    def close(self) -> None:
        self._closed = True
        if self.transport is not None:
            self.transport.stop()
        self.cache.close()
