"""memory: RSS of the API worker process(es), taken right after the read benchmark."""

from __future__ import annotations

from typing import Any

from bench.server import RunningServer


def run(server: RunningServer, after: str) -> dict[str, Any]:
    """The largest worker RSS in MB (each worker holds its own pool and app)."""
    rss = [p.memory_info().rss / 2**20 for p in server.worker_processes()]
    worst = max(rss)
    return {
        "status": "ok",
        "rss_mb": round(worst, 1),
        "ours": {"rss_mb_per_worker": [round(r, 1) for r in rss]},
        "anchor": {"limit_mb": 150},
        "target": "<=150MB",
        "ours_label": f"{worst:.0f} MB/worker",
        "anchor_label": "150 MB limit",
        "note": f"measured after {after}",
        "settings": server.settings.as_dict(),
    }
