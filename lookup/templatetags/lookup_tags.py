"""Presentation helpers for the lookup pages: map links."""

from decimal import Decimal
from urllib.parse import quote

from django import template

register = template.Library()


def _coords(obj) -> tuple[str, str] | None:
    lat, lon = getattr(obj, "latitude", None), getattr(obj, "longitude", None)
    if lat is None or lon is None:
        return None
    # Plain dots whatever the page's language: "10,77" would break the link.
    return format(Decimal(lat).normalize(), "f"), format(Decimal(lon).normalize(), "f")


@register.filter
def osm_url(obj) -> str:
    """An OpenStreetMap link with a marker; opens in the browser, loads nothing here."""
    coords = _coords(obj)
    if coords is None:
        return ""
    lat, lon = coords
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"


@register.filter
def geo_uri(obj) -> str:
    """A ``geo:`` URI (RFC 5870): phones open their own map app with it."""
    coords = _coords(obj)
    if coords is None:
        return ""
    lat, lon = coords
    label = quote(getattr(obj, "name", ""))
    return f"geo:{lat},{lon}?q={lat},{lon}({label})"
