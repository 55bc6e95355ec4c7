"""The dashboard's pictures as numbers: bar charts and the region's points, laid out here
so the template only draws them (inline SVG, no script, nothing from another host).

Every picture has its numbers beside it as a table; the shapes say what the colours say
(a municipality without projects is a hollow ring, not just a paler dot).
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

BAR_HEIGHT = 22
BAR_GAP = 8
LABEL_WIDTH = 250
"""Room for the labels left of the bars, in the chart's own units."""
CHART_WIDTH = 600

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
            label=label,
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
    label: bool
    """Whether its name is written beside it; names that would overlap a larger
    neighbour's are left to the ring's title and the table."""


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
            label=False,
        )
        for m, lat, lon in placed
    ]
    return RegionMap(_labelled(places), unplaced, MAP_WIDTH, MAP_HEIGHT)


def _labelled(places: list[Place]) -> list[Place]:
    """Names beside the rings, the busiest first, skipping any that would overlap one
    already written (a greedy check of their boxes; names are about 0.55 em a letter)."""
    boxes: list[tuple[float, float, float, float]] = []
    labelled: set[str] = set()
    for place in sorted(places, key=lambda p: (-p.projects, p.name)):
        left = place.x + place.radius + 3
        width = len(place.name) * LABEL_SIZE * 0.55
        box = (left, place.y - LABEL_SIZE / 2, left + width, place.y + LABEL_SIZE / 2)
        if box[2] > MAP_WIDTH or any(_overlap(box, other) for other in boxes):
            continue
        boxes.append(box)
        labelled.add(place.ags)
    return [
        Place(p.ags, p.name, p.projects, p.x, p.y, p.radius, p.ags in labelled)
        for p in sorted(places, key=lambda p: -p.radius)  # small rings drawn over large
    ]


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]
