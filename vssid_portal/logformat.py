"""Log lines that user input cannot forge (LOG-02, ASVS 16.4.1).

A username, a search term or a header value may hold "\\n" or other control
characters. ``SafeFormatter`` writes the message with every control character
escaped (``\\n`` → ``\\\\n``, ``\\x1b`` → ``\\\\x1b``), so one record is always one line
and a forged "2026-… INFO …" line cannot appear. Tracebacks, which Python adds
after the message, keep their own line breaks.
"""

import logging
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def escape_controls(text: str) -> str:
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class SafeFormatter(logging.Formatter):
    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        record.message = escape_controls(record.message)
        return super().formatMessage(record)
