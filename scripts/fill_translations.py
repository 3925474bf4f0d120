"""Fill English msgstrs of a .po file from a Python dict file, then compile.

Usage: python scripts/fill_translations.py PO_FILE DICT_FILE [DICT_FILE ...]
Each DICT_FILE defines ``T = {msgid: msgstr}``. Entries already translated
are kept; what is still missing is printed so nothing goes unnoticed.
"""

import runpy
import sys

import polib


def main() -> int:
    po_path, *dict_paths = sys.argv[1:]
    table: dict[str, str] = {}
    for path in dict_paths:
        table.update(runpy.run_path(path)["T"])
    po = polib.pofile(po_path)
    missing = []
    for entry in po:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr and not entry.obsolete:
            missing.append(entry.msgid)
    po.save()
    po.save_as_mofile(po_path[:-3] + ".mo")
    for msgid in missing:
        print("missing:", repr(msgid))
    return 0


if __name__ == "__main__":
    sys.exit(main())
