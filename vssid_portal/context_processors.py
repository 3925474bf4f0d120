from django.conf import settings


def portal(request):
    """Values every page shows: the hotline in the footer and help boxes."""
    return {"HOTLINE": settings.HOTLINE, "HOTLINE_TEL": settings.HOTLINE_TEL}
