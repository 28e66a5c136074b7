"""Result rows: a figure with both sides and its settings, or "not available" with the reason."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results" / "latest.json"


class NotAvailable(Exception):
    """A benchmark cannot run yet; the message says why (a missing route, command, ...)."""


def machine() -> dict[str, Any]:
    """Cores and CPU model of this machine (recorded with every figure)."""
    model = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu_model": model,
        "python": platform.python_version(),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }  # other work on the box skews figures


def unavailable(reason: str, **extra: Any) -> dict[str, Any]:
    return {"status": "not available", "reason": reason, "ratio": None, **extra}


def write(results: dict[str, dict[str, Any]]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=False) + "\n")


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.3f}" if value < 10 else f"{value:,.0f}"
    return str(value)


def table(results: dict[str, dict[str, Any]]) -> str:
    """The printed summary: one line per benchmark."""
    header = f"{'benchmark':<12} {'ours':>22} {'anchor':>22} {'ratio':>8} {'target':>10}  note"
    lines = [header, "-" * len(header)]
    for name, row in results.items():
        if row.get("status") != "ok":
            lines.append(f"{name:<12} {'':>22} {'':>22} {'-':>8} {row.get('target', ''):>10}  "
                         f"not available: {row.get('reason')}")  # fmt: skip
            continue
        ratio = row.get("ratio", row.get("rss_mb"))
        lines.append(
            f"{name:<12} {row.get('ours_label', ''):>22} {row.get('anchor_label', ''):>22} "
            f"{_fmt(ratio):>8} {row.get('target', ''):>10}  {row.get('note', '')}"
        )
    return "\n".join(lines)
