"""Rate limits kept in the cache (Redis in production), atomic per counter.

DRF's throttles are not a security measure (its docs say so: non-atomic
cache use); these counters use ``cache.add`` + ``cache.incr``, which are
atomic on Redis, so parallel requests cannot slip past a limit.

    from vssid_portal.ratelimit import client_ip, rate_limit
    rate_limit(scope="lookup", key=client_ip(request), limit=30, window=60)

raises ``RateLimited`` when the limit is passed; ``RateLimitMiddleware``
turns it into a Vietnamese 429 page, or JSON under ``/api/``, with
``Retry-After``.
"""

import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(retry_after)
        self.retry_after = max(int(retry_after), 1)


@dataclass
class Usage:
    count: int
    limit: int
    retry_after: int

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the proxy-appended hop if trusted.

    ``TRUSTED_PROXY_COUNT`` proxies in front each append to X-Forwarded-For;
    only the entry they added is trusted, so a client cannot pick its own IP.
    """
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies:
        hops = [
            h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()
        ]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def usage_hit(*, scope: str, key: str, limit: int, window: int, cost: int = 1) -> Usage:
    """Count one event in the current fixed window and return the usage."""
    now = time.time()
    window_start = int(now // window) * window
    cache_key = f"rl:{scope}:{key}:{window_start}"
    cache.add(cache_key, 0, timeout=window + 5)
    try:
        count = cache.incr(cache_key, cost)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, cost, timeout=window + 5)
        count = cost
    return Usage(count=count, limit=limit, retry_after=int(window_start + window - now) + 1)


def usage_peek(*, scope: str, key: str, window: int) -> int:
    window_start = int(time.time() // window) * window
    return cache.get(f"rl:{scope}:{key}:{window_start}", 0)


def rate_limit(*, scope: str, key: str, limit: int, window: int) -> Usage:
    """Count one event; raise ``RateLimited`` once more than ``limit`` fell in the window."""
    usage = usage_hit(scope=scope, key=key, limit=limit, window=window)
    if usage.exceeded:
        raise RateLimited(usage.retry_after)
    return usage


def too_many_requests(request, retry_after: int):
    message = _("Bạn đã thao tác quá nhiều lần. Vui lòng thử lại sau {seconds} giây.").format(
        seconds=retry_after
    )
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message, "retry_after": retry_after}, status=429)
    else:
        response = render(
            request, "429.html", {"retry_after": retry_after, "message": message}, status=429
        )
    response["Retry-After"] = str(retry_after)
    return response


class RateLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RateLimited):
            return too_many_requests(request, exception.retry_after)
        return None
