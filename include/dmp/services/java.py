"""Finding the Java 17 runtime that Cassandra 5.0 and Spark 3.5 need.

Another JDK may be the machine's default (`java` on PATH can be 21 or 25, on which neither runs),
so the platform never relies on PATH: it takes `DMP_JAVA_HOME`, then `JAVA_HOME` (both read by
`dmp.settings`), then the usual install folders, and keeps the first one whose `java -version` says 17.
"""

from __future__ import annotations

import functools
import os
import re
import subprocess
from pathlib import Path

from dmp.errors import MissingToolError
from dmp.settings import load

REQUIRED_MAJOR = 17
JVM_ROOTS = (Path("/usr/lib/jvm"), Path("/usr/local/lib/jvm"), Path("/opt/java"), Path("/opt"))
_VERSION_RE = re.compile(r'version "(\d+)(?:\.(\d+))?')


def java_major_version(java_home: Path) -> int | None:
    """The major version of `java_home/bin/java`, or None when it is not a working JDK."""
    java = java_home / "bin" / "java"
    if not java.is_file():
        return None
    try:
        result = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = _VERSION_RE.search(result.stderr + result.stdout)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2)) if major == 1 else major


def _candidates() -> list[Path]:
    found = list(load().java_homes)
    for root in JVM_ROOTS:
        if root.is_dir():
            found.extend(sorted(p for p in root.iterdir() if "17" in p.name))
    return found


@functools.cache
def find_java17() -> Path:
    """JAVA_HOME of a Java 17 runtime; a clear error saying what to install when there is none."""
    for java_home in _candidates():
        if java_major_version(java_home) == REQUIRED_MAJOR:
            return java_home.resolve()
    raise MissingToolError(
        "Java 17 was not found (Cassandra 5.0 and Spark 3.5 need exactly 17; looked at "
        "DMP_JAVA_HOME, JAVA_HOME and /usr/lib/jvm). Install it with "
        "`apt-get install openjdk-17-jdk-headless`, or point DMP_JAVA_HOME at a JDK 17."
    )


def java17_environment(base: dict[str, str] | None = None) -> dict[str, str]:
    """A copy of the environment whose JAVA_HOME and PATH lead to Java 17 first, for a child process."""
    env = dict(os.environ if base is None else base)
    java_home = find_java17()
    env["JAVA_HOME"] = str(java_home)
    env["PATH"] = f"{java_home / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return env
