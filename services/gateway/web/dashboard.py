"""The dashboard's pictures as numbers: bar charts and the region's points, laid out here
so the template only draws them (inline SVG, no script, nothing from another host).

Every picture has its numbers beside it as a table; the shapes say what the colours say
(a municipality without projects is a hollow ring, not just a paler dot).
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 300
"""Room for the labels left of the bars, in the chart's own units."""
LABEL_LETTERS = 40
"""Longer labels are shortened on the chart (the table has them whole)."""
CHART_WIDTH = 640

MAP_WIDTH = 600
MAP_HEIGHT = 420
MAP_MARGIN = 40
"""Room around the points for their rings and labels."""
MAX_RADIUS = 22.0
MIN_RADIUS = 4.0
LABEL_SIZE = 13
"""Font size of the map's labels; also how tall a label's box is for the overlap check."""


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: float
    width: float
    """Length of the bar in the chart's units; 0 for no projects (the number still shows)."""


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    total: int
    width: int
    height: int
    label_width: int
    bar_height: int


def bar_chart(counts: Iterable[tuple[str, int]]) -> BarChart:
    """Horizontal bars, longest first; the scale starts at zero and ends at the largest."""
    rows = sorted(counts, key=lambda row: (-row[1], row[0]))
    largest = max((value for _, value in rows), default=0)
    room = CHART_WIDTH - LABEL_WIDTH - 50  # the number stands after the bar
    bars = [
        Bar(
            label=label if len(label) <= LABEL_LETTERS else label[: LABEL_LETTERS - 1] + "…",
            value=value,
            y=index * (BAR_HEIGHT + BAR_GAP),
            width=round(room * value / largest, 1) if largest else 0.0,
        )
        for index, (label, value) in enumerate(rows)
    ]
    height = max(len(bars) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP, BAR_HEIGHT)
    return BarChart(
        bars=bars,
        total=sum(value for _, value in rows),
        width=CHART_WIDTH,
        height=height,
        label_width=LABEL_WIDTH,
        bar_height=BAR_HEIGHT,
    )


@dataclass(frozen=True)
class Place:
    ags: str
    name: str
    projects: int
    x: float
    y: float
    radius: float
    label_x: float | None = None
    """Where its name is written (None: not written, it would overlap another name or
    ring; the ring's title and the table have it)."""
    label_y: float = 0.0
    label_anchor: str = "start"
    """`start`: the name right of the ring; `end`: left of it; `middle`: above or below."""


@dataclass(frozen=True)
class RegionMap:
    places: list[Place]
    unplaced: list[str]
    """Names of municipalities without coordinates: in the table, not on the picture."""
    width: int
    height: int


def region_map(
    municipalities: Iterable[Mapping[str, Any]], projects: Mapping[str, int]
) -> RegionMap:
    """The municipalities at their coordinates, in an equirectangular projection fit to
    their bounding box (longitude shrunk by the cosine of the middle latitude, so the
    region keeps its shape), each ring's area proportional to its projects."""
    placed: list[tuple[Mapping[str, Any], float, float]] = []
    unplaced: list[str] = []
    for municipality in municipalities:
        latitude, longitude = municipality.get("latitude"), municipality.get("longitude")
        if latitude is None or longitude is None:
            unplaced.append(str(municipality["name"]))
        else:
            placed.append((municipality, float(latitude), float(longitude)))
    if not placed:
        return RegionMap([], unplaced, MAP_WIDTH, MAP_HEIGHT)
    south = min(lat for _, lat, _ in placed)
    north = max(lat for _, lat, _ in placed)
    west = min(lon for _, _, lon in placed)
    east = max(lon for _, _, lon in placed)
    shrink = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * shrink, 1e-6)
    span_y = max(north - south, 1e-6)
    scale = min((MAP_WIDTH - 2 * MAP_MARGIN) / span_x, (MAP_HEIGHT - 2 * MAP_MARGIN) / span_y)
    # Centred: a region taller than wide leaves room at the sides, not on one side.
    offset_x = (MAP_WIDTH - span_x * scale) / 2
    offset_y = (MAP_HEIGHT - span_y * scale) / 2
    largest = max((projects.get(str(m["ags"]), 0) for m, _, _ in placed), default=0)

    def radius(count: int) -> float:
        if not count or not largest:
            return MIN_RADIUS
        return round(max(MIN_RADIUS + 1, MAX_RADIUS * math.sqrt(count / largest)), 1)

    places = [
        Place(
            ags=str(m["ags"]),
            name=str(m["name"]),
            projects=projects.get(str(m["ags"]), 0),
            x=round(offset_x + (lon - west) * shrink * scale, 1),
            y=round(offset_y + (north - lat) * scale, 1),
            radius=radius(projects.get(str(m["ags"]), 0)),
        )
        for m, lat, lon in placed
    ]
    return RegionMap(_labelled(places), unplaced, MAP_WIDTH, MAP_HEIGHT)


def _labelled(places: list[Place]) -> list[Place]:
    """Names beside the rings, the busiest first: right of the ring, else left, above or
    below it, else none, so that no name overlaps a ring or a name already written (a
    greedy check of their boxes; a letter is taken as about 0.6 em wide)."""
    rings = {
        p.ags: (p.x - p.radius, p.y - p.radius, p.x + p.radius, p.y + p.radius) for p in places
    }
    boxes = list(rings.values())
    labelled: dict[str, tuple[float, float, str]] = {}
    half = LABEL_SIZE / 2
    for place in sorted(places, key=lambda p: (-p.projects, p.name)):
        width = (len(place.name) + 4) * LABEL_SIZE * 0.6  # the name and " (n)"
        x, y, r = place.x, place.y, place.radius
        candidates = [
            (x + r + 3, y, "start", (x + r + 3, y - half, x + r + 3 + width, y + half)),
            (x - r - 3, y, "end", (x - r - 3 - width, y - half, x - r - 3, y + half)),
            (
                x,
                y - r - half - 2,
                "middle",
                (x - width / 2, y - r - 2 * half - 2, x + width / 2, y - r - 2),
            ),
            (
                x,
                y + r + half + 2,
                "middle",
                (x - width / 2, y + r + 2, x + width / 2, y + r + 2 * half + 2),
            ),
        ]
        for label_x, label_y, anchor, box in candidates:
            inside = box[0] >= 0 and box[2] <= MAP_WIDTH and box[1] >= 0 and box[3] <= MAP_HEIGHT
            others = (b for b in boxes if b is not rings[place.ags])
            if inside and not any(_overlap(box, other) for other in others):
                boxes.append(box)
                labelled[place.ags] = (round(label_x, 1), round(label_y, 1), anchor)
                break
    return [
        replace(
            p,
            label_x=labelled[p.ags][0],
            label_y=labelled[p.ags][1],
            label_anchor=labelled[p.ags][2],
        )
        if p.ags in labelled
        else p
        for p in sorted(places, key=lambda p: -p.radius)  # small rings drawn over large
    ]


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
