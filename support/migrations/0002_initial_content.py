"""Initial FAQ topics, FAQs and a few articles (text in support/content.py)."""

from datetime import timedelta

from django.db import migrations
from django.utils import timezone

from vssid_portal.text import fold


def load(apps, schema_editor):
    from support.content import ARTICLES, FAQS, TOPICS

    Topic = apps.get_model("support", "Topic")
    FAQ = apps.get_model("support", "FAQ")
    Article = apps.get_model("support", "Article")
    topics = {}
    for row in TOPICS:
        topics[row["slug"]], _created = Topic.objects.get_or_create(
            slug=row["slug"], defaults={"name": row["name"], "order": row["order"]}
        )
    for order, (_key, topic_slug, question, answer) in enumerate(FAQS, start=1):
        if not FAQ.objects.filter(question=question).exists():
            FAQ.objects.create(
                topic=topics[topic_slug],
                question=question,
                answer=answer,
                order=order,
                published=True,
                search_text=fold(f"{question} {answer}"),
            )
    now = timezone.now()
    for row in ARTICLES:
        Article.objects.get_or_create(
            slug=row["slug"],
            defaults={
                "kind": row["kind"],
                "title": row["title"],
                "summary": row["summary"],
                "body": row["body"],
                "published": True,
                "published_at": now - timedelta(days=row["days_ago"]),
            },
        )


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
