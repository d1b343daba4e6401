"""Whether Chromium can run with its own sandbox here, so it is disabled only when it cannot work.

Chromium's Linux sandbox (namespaces plus seccomp-bpf) needs a non-root user and unprivileged user
namespaces. Containers often deny them: root in the image, ``kernel.unprivileged_userns_clone=0`` (older
Debian kernels), ``user.max_user_namespaces=0``, Ubuntu's ``apparmor_restrict_unprivileged_userns=1``, or a
seccomp profile that refuses ``unshare(CLONE_NEWUSER)`` (Docker's default and Kubernetes' ``RuntimeDefault``).
The last is only found by trying: a child interpreter attempts the ``unshare`` and says whether it worked.

``CHROMIUM_SANDBOX``: ``auto`` (sandbox when available, else ``--no-sandbox`` with a logged warning), ``on``
(always sandboxed: launching fails where it cannot work), ``off`` (``--no-sandbox``, explicitly).
"""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

MODES = ("auto", "on", "off")
_PROBE = (
    "import ctypes, os, sys\n"
    "libc = ctypes.CDLL(None, use_errno=True)\n"
    "sys.exit(0 if libc.unshare(0x10000000) == 0 else 1)\n"  # CLONE_NEWUSER
)


@dataclass(frozen=True)
class SandboxSupport:
    available: bool
    reason: str  # why not (or what was checked), for the log and the docs


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text().strip()
    except OSError:
        return None


def _probe_user_namespace(timeout: float = 10.0) -> bool:
    try:
        done = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, timeout=timeout, check=False)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


@functools.lru_cache(maxsize=1)
def sandbox_support() -> SandboxSupport:
    """Checked once per process."""
    if not sys.platform.startswith("linux"):
        return SandboxSupport(True, f"{sys.platform}: Chromium's own sandbox needs nothing from us")
    if os.geteuid() == 0:
        return SandboxSupport(False, "running as root: Chromium's sandbox refuses root (run as a non-root user)")
    if _read("/proc/sys/kernel/unprivileged_userns_clone") == "0":
        return SandboxSupport(False, "kernel.unprivileged_userns_clone is 0: no unprivileged user namespaces")
    if _read("/proc/sys/user/max_user_namespaces") == "0":
        return SandboxSupport(False, "user.max_user_namespaces is 0: no user namespaces")
    if _read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") == "1":
        return SandboxSupport(False, "AppArmor restricts unprivileged user namespaces")
    if not _probe_user_namespace():
        return SandboxSupport(False, "unshare(CLONE_NEWUSER) is refused (a seccomp profile such as RuntimeDefault)")
    return SandboxSupport(True, "non-root with unprivileged user namespaces")


def no_sandbox_flag(mode: str, support: SandboxSupport | None = None) -> tuple[bool, str | None]:
    """Whether to pass ``--no-sandbox`` for ``mode``, and the warning to log when the sandbox is given up."""
    if mode not in MODES:
        raise ValueError(f"CHROMIUM_SANDBOX must be one of {', '.join(MODES)}, got {mode!r}")
    if mode == "off":
        return True, None
    if mode == "on":
        return False, None
    found = support or sandbox_support()
    if found.available:
        return False, None
    return True, (
        f"Chromium runs without its sandbox: {found.reason}. Snapshots still go through the SSRF guard; see "
        "docs/operations.md to enable the sandbox, or set CHROMIUM_SANDBOX=off to say this is intended."
    )
