"""A statement whose PostgreSQL connection was lost, told apart from a statement that failed.

PostgreSQL ends a backend (pg_terminate_backend, a restart, a fail-over) by sending a FATAL
error and closing the socket. A statement in flight then fails with ConnectionDoesNotExistError,
whose SQLSTATE (08003) says so. But a connection that gets the FATAL while it is idle still looks
open until the close is read, a turn or two of the event loop later, and a statement started on
it in between fails in asyncpg itself: an InternalClientError ("cannot switch to state 12;
another operation (2) is in progress"), after which asyncpg aborts the connection. A statement
on a connection seen closed fails with an InterfaceError ("connection is closed"). Neither
carries an SQLSTATE, and a bug could raise either: what tells a lost connection apart is that
the connection is closed once the statement has failed.
"""

from __future__ import annotations

from typing import Any

from asyncpg.exceptions import InterfaceError, InternalClientError, PostgresConnectionError


class ConnectionLost(Exception):
    """The connection to the database was lost under a statement; the request may be tried
    again. Nothing was committed, unless the statement lost was the COMMIT itself."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"the connection to the database was lost: {cause}")


# What a statement fails with when its connection goes, rather than an error the server
# answered it with: ConnectionDoesNotExistError (a PostgresConnectionError) when the socket
# closes under it; an InterfaceError, an InternalClientError or the socket's OSError when it
# cannot be sent at all.
_RAISED_BY_THE_DRIVER = (InterfaceError, InternalClientError, PostgresConnectionError, OSError)


def is_closed(connection: Any) -> bool:
    """Whether a connection is closed. asyncpg takes a pool's connection back by itself when it
    closes, and the stand-in the pool handed out then refuses every call."""
    try:
        return bool(connection.is_closed())
    except InterfaceError:
        return True


def lost_under(exc: BaseException, connection: Any) -> bool:
    """Whether `exc`, raised by a statement on `connection`, came of losing the connection.
    Ask before the connection is given back to the pool."""
    return isinstance(exc, _RAISED_BY_THE_DRIVER) and is_closed(connection)


def is_connection_lost(exc: BaseException) -> bool:
    """Whether `exc` says that the connection to the database was lost, wherever it was raised."""
    if isinstance(exc, ConnectionLost | ConnectionError):
        return True
    # asyncpg's words when a closed connection is used: "connection is closed", "cannot
    # perform operation: connection is closed", "cannot call Transaction.rollback(): the
    # underlying connection is closed".
    return isinstance(exc, InterfaceError) and "connection is closed" in str(exc)
