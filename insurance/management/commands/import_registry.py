from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from insurance.importer import RECORD_TYPES, ImportSummary, detect_format, registry_import


class Command(BaseCommand):
    help = (
        "Import a core-system registry feed (CSV or JSON lines: person, card, period, "
        "benefit, visit records). Idempotent; see docs/registry-import.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--format", choices=["csv", "jsonl"], help="default: by extension")
        parser.add_argument("--batch-size", type=int, default=20_000)
        parser.add_argument(
            "--progress-every", type=int, default=100_000, help="lines between progress lines"
        )
        parser.add_argument(
            "--writers",
            type=int,
            default=None,
            help="database connections writing in parallel (PostgreSQL; default 2)",
        )
        parser.add_argument(
            "--max-errors-shown", type=int, default=100, help="errors listed in the output"
        )

    def handle(self, *args, file: Path, format, batch_size, progress_every, max_errors_shown, **o):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        try:
            fmt = format or detect_format(file)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        verbose = o["verbosity"] >= 1

        def progress(summary: ImportSummary) -> None:
            rate = summary.lines / summary.seconds if summary.seconds else 0
            self.stdout.write(
                f"  … {summary.lines:,} lines read, {summary.imported:,} imported, "
                f"{summary.error_count:,} errors ({rate:,.0f} lines/s)"
            )
            self.stdout.flush()

        summary = registry_import(
            path=file,
            fmt=fmt,
            batch_size=max(batch_size, 1),
            progress=progress if verbose else None,
            progress_every=max(progress_every, 1),
            writers=o["writers"],
        )
        for error in summary.errors[:max_errors_shown]:
            self.stderr.write(f"{file.name}:{error.line}: {error.reason}")
        if summary.error_count > max_errors_shown:
            self.stderr.write(f"… and {summary.error_count - max_errors_shown:,} more errors")
        self.stdout.write(
            f"{summary.lines:,} lines in {summary.seconds:.1f}s: "
            f"{summary.imported:,} imported, {summary.error_count:,} rejected"
        )
        for record_type in RECORD_TYPES:
            c = summary.counts[record_type]
            if c.created or c.updated or c.unchanged:
                self.stdout.write(
                    f"  {record_type}: {c.created:,} created, {c.updated:,} updated, "
                    f"{c.unchanged:,} unchanged"
                )
        if summary.error_count:
            self.stdout.write(self.style.WARNING(f"{summary.error_count:,} lines rejected"))
