"""Initial FAQ topics, FAQs and a few articles (text in support/content.py)."""

from django.db import migrations


def load(apps, schema_editor):
    from support.content import help_content_load

    help_content_load(apps)


class Migration(migrations.Migration):
    dependencies = [("support", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
