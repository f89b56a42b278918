"""A Redis cache backend that counts its operations (civicpulse_cache_operations_total).

    CACHES = {"default": {"BACKEND": "civicpulse_monitoring.cache.InstrumentedRedisCache", "LOCATION": "redis://..."}}
"""

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

from .metrics import cache_operations
from .probing import in_probe

_MISSING = object()


class InstrumentedRedisCache(RedisCache):
    def _count(self, operation, result):
        if not in_probe():
            cache_operations.labels(operation=operation, result=result).inc()

    def get(self, key, default=None, version=None):
        try:
            value = super().get(key, _MISSING, version)
        except Exception:
            self._count("get", "error")
            raise
        self._count("get", "miss" if value is _MISSING else "hit")
        return default if value is _MISSING else value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._write("set", super().set, key, value, timeout=timeout, version=version)

    def delete(self, key, version=None):
        return self._write("delete", super().delete, key, version=version)

    def _write(self, operation, call, *args, **kwargs):
        try:
            result = call(*args, **kwargs)
        except Exception:
            self._count(operation, "error")
            raise
        self._count(operation, "success")
        return result
