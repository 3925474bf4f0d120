from functools import cache

from .selectors import inbox_unread_count


def inbox(request):
    """``inbox_unread``: the signed-in citizen's unread notices, for the header.

    A callable the template calls only where it shows the count (a citizen
    signed in): anonymous visitors and staff cost nothing; a citizen one
    cache read (``inbox_unread_count``), once per response.
    """

    @cache
    def count() -> int:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.is_staff:
            return 0
        return inbox_unread_count(user_id=user.pk)

    return {"inbox_unread": count}
