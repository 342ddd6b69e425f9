"""The fenced blocks of a Markdown page with the marker line before each, so that the docs' commands are
checked as written: `<!-- tried: SCENARIO -->` (run in page order in that scenario), `<!-- tried:
SCENARIO, saved as FILE -->` (a file the next blocks use), `<!-- not tried here: WHY -->`."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FENCE = re.compile(r"^(?P<indent>\s*)```(?P<lang>[\w-]*)\s*$")
MARKER = re.compile(r"^\s*<!-- (?:tried: (?P<scenario>[\w-]+)(?:, saved as (?P<file>[\w.-]+))?|not tried here: (?P<why>.+?)) -->\s*$")
SHELL = {"sh", "bash", "console", "shell"}


@dataclass
class Block:
    path: Path
    line: int
    lang: str
    body: str
    scenario: str | None
    saved_as: str | None
    why_not: str | None

    @property
    def where(self) -> str:
        return f"{self.path.name}:{self.line}"


def blocks(path: Path) -> list[Block]:
    """Every fenced block of the page, with its marker (if the line before it is one)."""
    lines = path.read_text().splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent = len(opening.group("indent"))
        start = index
        index += 1
        body: list[str] = []
        while index < len(lines) and not re.match(r"^\s*```\s*$", lines[index]):
            body.append(lines[index][indent:] if lines[index][:indent].strip() == "" else lines[index])
            index += 1
        index += 1
        marker = MARKER.match(lines[start - 1]) if start > 0 else None
        found.append(Block(path, start + 1, opening.group("lang"), "\n".join(body) + "\n",
                           marker.group("scenario") if marker else None, marker.group("file") if marker else None,
                           marker.group("why") if marker else None))
    return found
