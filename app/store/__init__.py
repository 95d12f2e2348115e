"""The console's local cache (SQLite via SQLAlchemy), owned by one store thread."""

from app.store.cache import CachedState, CacheStore

__all__ = ["CacheStore", "CachedState"]
