"""Word that a transaction committed something others act on (a change of a request, an
account e-mail), so that they act after the commit and never inside it.

The job runner of the process listens for its engine; the writers only say "committed", with
the outbox messages they wrote directly (the change log's events are found by the relay). With no
listener (a command-line tool, a test without a runner) nothing happens, and the periodic sweep
of whichever runner is running finds the work later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from piccolo.engine.base import Engine

from booking.db.outbox import Due

log = logging.getLogger("booking.db")

Listener = Callable[[Sequence[Due]], None]
_listeners: dict[int, list[Listener]] = {}


def listen(engine: Engine, listener: Listener) -> Callable[[], None]:
    """Call `listener` after each commit announced for `engine`; returns how to stop."""
    _listeners.setdefault(id(engine), []).append(listener)

    def stop() -> None:
        listeners = _listeners.get(id(engine), [])
        if listener in listeners:
            listeners.remove(listener)
        if not listeners:
            _listeners.pop(id(engine), None)

    return stop


def announce(engine: Engine, written: Sequence[Due] = ()) -> None:
    """Tell the engine's listeners that a transaction committed work for them: events in the
    change log, and the outbox messages it wrote itself (`written`), which are due now. A
    listener's failure is logged and ends there: what committed stays committed."""
    for listener in list(_listeners.get(id(engine), ())):
        try:
            listener(written)
        except Exception:
            log.exception("a listener of committed changes failed")
