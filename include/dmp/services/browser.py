"""The Debian tools tests and benchmarks drive, installed by setup: Chromium and `hey`.

Playwright's own browser download is not used: the tests run Debian's `chromium` package (with
Playwright's `executable_path`), and the Audience Builder's load benchmark runs Debian's `hey`.
`dmp setup` installs each with apt-get when it is missing and setup runs as root (CI's fresh
machine); otherwise it says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from dmp.errors import MissingToolError

CHROMIUM = "chromium"
HEY = "hey"  # HTTP load generator (the Audience Builder's latency benchmark)
APT_GET = "apt-get"
APT_TIMEOUT_SECONDS = 900


def find_chromium() -> Path | None:
    """The Chromium on PATH, or None."""
    found = shutil.which(CHROMIUM)
    return Path(found) if found else None


def chromium_path() -> Path:
    """The Chromium executable; a clear error saying how to install it when it is missing."""
    found = find_chromium()
    if found is None:
        raise MissingToolError(f"{CHROMIUM} is not installed: run `make setup` as root, or `sudo apt-get install {CHROMIUM}`.")
    return found


def ensure_chromium() -> bool:
    """Install Debian's chromium when it is missing (root only); True when it was installed."""
    return ensure_debian_tool(CHROMIUM, "the browser tests")


def ensure_debian_tool(tool: str, needed_by: str) -> bool:
    """Install the Debian package `tool` (its program has the same name) when it is missing (root
    only); True when it was installed."""
    if shutil.which(tool) is not None:
        return False
    if os.geteuid() != 0 or shutil.which(APT_GET) is None:
        raise MissingToolError(
            f"{tool} (for {needed_by}) is not installed and this setup cannot install it "
            f"(it needs root and {APT_GET}). Install it: `sudo {APT_GET} install {tool}`, then run `make setup` again."
        )
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in ([APT_GET, "update", "-q"], [APT_GET, "install", "-y", "-q", "--no-install-recommends", tool]):
        result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT_SECONDS)
        if result.returncode != 0:
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-10:])
            raise MissingToolError(f"`{' '.join(command)}` failed while installing {tool}:\n{tail}")
    return True
