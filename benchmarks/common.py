"""Shared helpers of the benchmarks: best-of-N timing, machine load, peak RSS, the input cache."""

from __future__ import annotations

import os
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parents[1]
INDICATORS = ROOT / "data" / "indicators" / "fangxin-2026.yaml"
# Generated inputs outlive a run: making a 100,000-row workbook takes longer than importing it.
CACHE = Path(tempfile.gettempdir()) / "fangxin-bench"
MB = 1024 * 1024


def cache_path(name: str) -> Path:
    """A file in the benchmark cache (created on demand); callers key ``name`` by their parameters."""
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE / name


@dataclass
class Timings:
    """Seconds of every repetition of one measurement."""

    label: str
    seconds: list[float] = field(default_factory=list)

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        s = sorted(self.seconds)
        return s[len(s) // 2]

    def timed(self, action: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = action()
        self.seconds.append(time.perf_counter() - start)
        return result

    def text(self) -> str:
        runs = ", ".join(f"{s:.2f}" for s in self.seconds)
        return f"{self.label:<44} best {self.best:6.2f} s   (runs: {runs})"


def load() -> str:
    """The machine and its load now: the box is shared, so every figure is reported with it."""
    one, five, fifteen = os.getloadavg()
    return (
        f"{platform.node()}: {psutil.cpu_count()} CPUs, {psutil.virtual_memory().total / 1024**3:.0f} GB RAM, "
        f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min)"
    )


def settle(max_wait: float, quiet: float = 1.5) -> float:
    """Wait (up to ``max_wait`` s) for the 1-minute load average to fall below ``quiet``; seconds waited.

    The machine is shared: a repetition that starts while another job hogs both cores measures that
    job. Waiting does not hide anything: the load is printed with every figure.
    """
    waited = 0.0
    while waited < max_wait and os.getloadavg()[0] >= quiet:
        time.sleep(5.0)
        waited += 5.0
    return waited


def status_kib(field_name: str) -> int:
    """A ``VmHWM``/``VmRSS``-style field of /proc/self/status, in KiB (0 where unavailable)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_peak_rss() -> bool:
    """Reset the kernel's peak-RSS mark (Linux ``clear_refs`` 5); False when not possible here."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return status_kib("VmHWM") > 0


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / MB


def peak_rss_mb() -> float:
    """Peak RSS since start or since the last ``reset_peak_rss``."""
    kib = status_kib("VmHWM")
    if kib:
        return kib / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# Debian's Chromium, headless, as the browser benchmarks drive it (Playwright)
CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
