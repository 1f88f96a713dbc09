"""pip-audit over requirements.txt, telling "vulnerability found" (exit 1) apart from "the
vulnerability service could not be reached" (exit 3): a machine without outside network
cannot audit, and that must not read as a clean bill. Exit 0 only when every pinned package
was checked and none has a known vulnerability."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIP_AUDIT = ROOT / ".venv" / "bin" / "pip-audit"
UNREACHABLE = 3


def main() -> int:
    cmd = [str(PIP_AUDIT), "-r", str(ROOT / "requirements.txt"), "-f", "json", "--progress-spinner", "off"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)  # noqa: S603 (fixed arguments)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"pip-audit: could not run or reach its vulnerability service: {last}")
        return UNREACHABLE
    found = [(dep["name"], dep["version"], v["id"]) for dep in report["dependencies"] for v in dep.get("vulns", [])]
    skipped = [dep["name"] for dep in report["dependencies"] if dep.get("skip_reason")]
    for name, version, vuln in found:
        print(f"pip-audit: {name} {version}: {vuln}")
    if found:
        return 1
    if skipped:
        print(f"pip-audit: vulnerability service unreachable, {len(skipped)} package(s) NOT audited")
        return UNREACHABLE
    print(f"pip-audit: {len(report['dependencies'])} packages, no known vulnerability")
    return 0


if __name__ == "__main__":
    sys.exit(main())
