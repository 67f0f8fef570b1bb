"""Server-side SVG charts: the geometry is computed here, the templates only draw it (no chart library)."""

from collections.abc import Sequence
from typing import Any

from attendance.models import AttendanceRecord
from attendance.selectors import SessionAttendanceRate

RATE_WIDTH, RATE_HEIGHT, MARGIN, AXIS_WIDTH = 720, 260, 40, 64  # AXIS_WIDTH: room for the % labels
LANE_HEIGHT, LABEL_WIDTH, TIMELINE_WIDTH = 28, 160, 560
# Colour-blind-safe (Okabe–Ito) colours, one per FER2013 emotion.
EMOTION_COLOURS = {
    "happy": "#E69F00",
    "neutral": "#999999",
    "surprise": "#56B4E9",
    "sad": "#0072B2",
    "angry": "#D55E00",
    "fear": "#CC79A7",
    "disgust": "#009E73",
}


def rate_chart(rates: Sequence[SessionAttendanceRate]) -> dict[str, Any]:
    """A line of attendance rate (0–100 %) per session, oldest left, with a point and a label per session."""
    plot_w, plot_h = RATE_WIDTH - AXIS_WIDTH - MARGIN, RATE_HEIGHT - 2 * MARGIN
    known = [r for r in rates if r.rate is not None]
    step = plot_w / max(len(known) - 1, 1)
    points = [
        {
            "x": round(AXIS_WIDTH + i * step, 1),
            "y": round(MARGIN + plot_h * (1 - r.rate), 1),
            "percent": round(100 * r.rate),
            "label": f"{r.session.course} {r.session.starts_at:%d %b}",
            "date": f"{r.session.starts_at:%d %b}",
            "attended": r.attended,
            "expected": r.expected,
        }
        for i, r in enumerate(known)
    ]
    grid = [{"y": round(MARGIN + plot_h * (1 - p / 100), 1), "label": f"{p} %"} for p in (0, 25, 50, 75, 100)]
    return {
        "width": RATE_WIDTH,
        "height": RATE_HEIGHT,
        "left": AXIS_WIDTH,
        "right": RATE_WIDTH - MARGIN,
        "polyline": " ".join(f"{p['x']},{p['y']}" for p in points),
        "points": points,
        "grid": grid,
    }


def engagement_chart(records: Sequence[AttendanceRecord]) -> dict[str, Any]:
    """One lane per student over the video: bars where they were seen, dots coloured by their emotion."""
    ends = [end for r in records for _, end in r.timeline.get("intervals", [])]
    duration = max([*ends, 1.0])
    scale = TIMELINE_WIDTH / duration
    lanes = []
    for index, record in enumerate(records):
        lanes.append(
            {
                "name": record.student.name,
                "y": index * LANE_HEIGHT,
                "bars": [_bar(a, b, scale) for a, b in record.timeline.get("intervals", [])],
                "dots": [_dot(e, scale) for e in record.timeline.get("emotions", [])],
            }
        )
    return {
        "lanes": lanes,
        "text_y": round(LANE_HEIGHT * 0.65, 1),
        "timeline_width": TIMELINE_WIDTH,
        "bar_y": 6,
        "bar_height": LANE_HEIGHT - 12,
        "dot_y": LANE_HEIGHT / 2,
        "label_width": LABEL_WIDTH,
        "width": LABEL_WIDTH + TIMELINE_WIDTH + 10,
        "height": max(len(lanes), 1) * LANE_HEIGHT + 24,
        "axis_y": len(lanes) * LANE_HEIGHT + 16,
        "axis_end": LABEL_WIDTH + TIMELINE_WIDTH,
        "duration_s": round(duration, 1),
        "legend": EMOTION_COLOURS,
    }


def _bar(start_s: float, end_s: float, scale: float) -> dict[str, Any]:
    width = max((end_s - start_s) * scale, 3)  # a single sighting still shows
    return {"x": round(LABEL_WIDTH + start_s * scale, 1), "width": round(width, 1), "start": start_s, "end": end_s}


def _dot(sighting: dict[str, Any], scale: float) -> dict[str, Any]:
    emotion = sighting["emotion"]
    return {
        "cx": round(LABEL_WIDTH + sighting["t"] * scale, 1),
        "t": sighting["t"],
        "emotion": emotion,
        "colour": EMOTION_COLOURS.get(emotion, "#000000"),
    }
