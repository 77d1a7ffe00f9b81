"""Where sessions and login throttles live: Redis when REDIS_URL is set, so every web process
shares them; files under VAR_DIR otherwise, which several processes on one machine share too."""

from __future__ import annotations

from litestar.stores.base import Store
from litestar.stores.file import FileStore
from litestar.stores.redis import RedisStore
from litestar.stores.registry import StoreRegistry

from booking.settings import Settings

SESSIONS = "sessions"
THROTTLE = "login_throttle"


class SharedStores:
    """The app's store registry, and the one Redis client behind it to close at shutdown."""

    def __init__(self, settings: Settings) -> None:
        self._redis_root: RedisStore | None = None
        if settings.redis_url:
            root = RedisStore.with_client(url=settings.redis_url, namespace="booking")
            self._redis_root = root

            def redis_store(name: str) -> Store:
                return root.with_namespace(name)

            self.registry = StoreRegistry(default_factory=redis_store)
            return

        def file_store(name: str) -> Store:
            path = settings.var_dir / "stores" / name
            path.mkdir(parents=True, exist_ok=True)
            return FileStore(path)

        self.registry = StoreRegistry(default_factory=file_store)

    async def close(self) -> None:
        if self._redis_root is not None:
            await self._redis_root._shutdown()
