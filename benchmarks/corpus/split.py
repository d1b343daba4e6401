"""The development / held-out split, by project (never by log: a project's recurrences stay together).

``split.json`` lists projects explicitly (chosen so each part holds several tools and about 70/30 of the
logs); a project it does not list falls by a hash rule, so a new ecosystem lands in a part without an edit.
Never read held-out logs while writing extraction rules: the held-out figures are the ones that count.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Literal

Part = Literal["dev", "held-out"]
SPLIT = Path(__file__).resolve().parent / "split.json"


@cache
def _listed() -> dict[str, Part]:
    document = json.loads(SPLIT.read_text())
    listed: dict[str, Part] = {}
    for part in ("dev", "held-out"):
        for project in document.get(part, []):
            listed[project] = part
    return listed


def part_of(project: str) -> Part:
    listed = _listed().get(project)
    if listed:
        return listed
    return "held-out" if hashlib.sha256(project.encode()).digest()[0] < 77 else "dev"
