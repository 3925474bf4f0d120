"""Run pip-audit over the project's environment and say honestly what it checked.

pip-audit's default service is PyPI's per-release JSON
(``/pypi/<name>/<version>/json``, its ``vulnerabilities`` field). When that
service cannot answer for a package, pip-audit records a ``skip_reason`` and,
without ``--strict``, still prints "No known vulnerabilities found" and exits
0: a silent pass. This wrapper reads pip-audit's JSON and decides:

* a known vulnerability not listed in ``ACCEPTED`` (each one explained in
  docs/security.md) → exit 1;
* every package audited and nothing found → exit 0;
* some or all packages could not be audited → a loud "NOT AUDITED" report
  naming them, saved to ``$ARTIFACTS_DIR/pip-audit.txt``, and exit 3 when
  ``PIP_AUDIT_REQUIRED=1`` (exit 0 otherwise, so that a CI machine without
  the vulnerability service still runs the rest of the gates; the line says
  plainly that nothing was audited).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Vulnerability ids accepted as not applicable, each with its reason in
# docs/security.md ("Dependency audit").
ACCEPTED: dict[str, str] = {}


def main() -> int:
    artifacts = Path(os.environ.get("ARTIFACTS_DIR", ROOT / "artifacts"))
    artifacts.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        command = [
            sys.executable,
            "-m",
            "pip_audit",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--output",
            out.name,
        ]
        for vuln_id in ACCEPTED:
            command += ["--ignore-vuln", vuln_id]
        run = subprocess.run(command, capture_output=True, text=True, timeout=600)  # noqa: S603
        raw = Path(out.name).read_text() or "{}"
    report = json.loads(raw)
    dependencies = report.get("dependencies", [])
    found = [(d["name"], d["version"], v) for d in dependencies for v in d.get("vulns", [])]
    unaudited = [(d["name"], d.get("skip_reason", "")) for d in dependencies if "skip_reason" in d]
    audited = len(dependencies) - len(unaudited)

    lines = [f"pip-audit: {audited} of {len(dependencies)} installed packages audited"]
    for name, version, vuln in found:
        fix = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
        lines.append(f"  VULNERABLE {name} {version}: {vuln['id']} (fixed in: {fix})")
    if unaudited:
        lines.append(
            f"  NOT AUDITED: {len(unaudited)} package(s) — the vulnerability service did not "
            "answer for them, so nothing is known about their vulnerabilities:"
        )
        reasons = sorted({reason.split(":")[0] for _, reason in unaudited})
        lines.append("    " + ", ".join(name for name, _ in unaudited))
        lines.append("    reason(s): " + "; ".join(reasons))
    if run.returncode not in (0, 1) or not dependencies:
        lines.append(f"  pip-audit itself failed (exit {run.returncode}): {run.stderr[-2000:]}")
    text = "\n".join(lines)
    (artifacts / "pip-audit.txt").write_text(text + "\n", encoding="utf-8")
    print(text)

    if found:
        print("pip-audit: FAILED — known vulnerabilities (accept one only with a reason)")
        return 1
    if unaudited or not dependencies or run.returncode not in (0, 1):
        required = os.environ.get("PIP_AUDIT_REQUIRED", "") == "1"
        print(
            "pip-audit: DEPENDENCIES NOT AUDITED — no vulnerability service reachable from this "
            "machine; " + ("failing (PIP_AUDIT_REQUIRED=1)" if required else "reported, not failed")
        )
        return 3 if required else 0
    print("pip-audit: no known vulnerabilities")
    return 0


if __name__ == "__main__":
    sys.exit(main())
