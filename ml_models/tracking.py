"""Following faces across sampled video frames, and deciding who each track is by a vote over its frames."""

from collections import Counter, defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ml_models.faces import Box, iou
from ml_models.matching import Match


@dataclass(frozen=True)
class Sighting:
    """One face in one sampled frame."""

    frame_index: int
    timestamp_s: float
    box: Box
    embedding: np.ndarray
    quality: float  # higher is a better evidence frame
    emotion: str | None = None
    is_real: bool | None = None  # the liveness head's verdict, where it runs


@dataclass
class Track:
    track_id: int
    sightings: list[Sighting] = field(default_factory=list)

    @property
    def last(self) -> Sighting:
        return self.sightings[-1]

    def looks_live(self) -> bool:
        """Most of the sightings that have a liveness verdict are real (True when there is none)."""
        verdicts = [s.is_real for s in self.sightings if s.is_real is not None]
        return not verdicts or sum(verdicts) * 2 >= len(verdicts)

    def mean_embedding(self) -> np.ndarray:
        mean = np.mean([s.embedding for s in self.sightings], axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-10)


@dataclass(frozen=True)
class TrackerSettings:
    min_iou: float = 0.2  # boxes overlapping this much in consecutive samples may be the same face …
    min_similarity: float = 0.45  # … or embeddings this similar (a face that moved far between samples)
    max_gap_s: float = 3.0  # a track unseen for longer is closed


class FaceTracker:
    """Greedy association of each frame's faces to open tracks by overlap and embedding similarity."""

    def __init__(self, settings: TrackerSettings = TrackerSettings()) -> None:
        self.settings = settings
        self.tracks: list[Track] = []

    def update(self, sightings: Sequence[Sighting]) -> list[int]:
        """Add one frame's sightings; returns the track id each sighting joined (or started)."""
        if not sightings:
            return []
        now = sightings[0].timestamp_s
        open_tracks = [t for t in self.tracks if now - t.last.timestamp_s <= self.settings.max_gap_s]
        pairs = sorted(
            ((self._score(t, s), ti, si) for ti, t in enumerate(open_tracks) for si, s in enumerate(sightings)),
            reverse=True,
        )
        used_tracks: set[int] = set()
        assigned: dict[int, int] = {}
        for score, ti, si in pairs:
            if score <= 0 or ti in used_tracks or si in assigned:
                continue
            open_tracks[ti].sightings.append(sightings[si])
            used_tracks.add(ti)
            assigned[si] = open_tracks[ti].track_id
        for si, sighting in enumerate(sightings):
            if si not in assigned:
                self.tracks.append(Track(track_id=len(self.tracks) + 1, sightings=[sighting]))
                assigned[si] = self.tracks[-1].track_id
        return [assigned[si] for si in range(len(sightings))]

    def _score(self, track: Track, sighting: Sighting) -> float:
        overlap = iou(track.last.box, sighting.box)
        similarity = float(track.last.embedding @ sighting.embedding)
        if overlap < self.settings.min_iou and similarity < self.settings.min_similarity:
            return 0.0
        return overlap + similarity


@dataclass(frozen=True)
class TrackIdentity:
    label: Hashable | None
    confidence: float  # mean similarity of the frames that voted for the label
    votes: int
    frames: int
    best: Sighting  # the evidence frame: highest similarity to the label (or best quality if unknown)


def identify_track(track: Track, matches: Sequence[Match | None], threshold: float) -> TrackIdentity:
    """A vote over the track's frames: the label most frames match above ``threshold`` wins (not any one frame)."""
    votes: Counter = Counter()
    similarities: defaultdict[Hashable, list[float]] = defaultdict(list)
    for match in matches:
        if match is not None and match.similarity >= threshold:
            votes[match.label] += 1
            similarities[match.label].append(match.similarity)
    if not votes:
        best = max(track.sightings, key=lambda s: s.quality)
        return TrackIdentity(None, 0.0, 0, len(track.sightings), best)
    label = max(votes, key=lambda candidate: (votes[candidate], np.mean(similarities[candidate])))
    voted = [i for i, m in enumerate(matches) if m is not None and m.label == label and m.similarity >= threshold]
    best_index = max(voted, key=lambda i: matches[i].similarity)
    return TrackIdentity(
        label=label,
        confidence=float(np.mean(similarities[label])),
        votes=votes[label],
        frames=len(track.sightings),
        best=track.sightings[best_index],
    )


def seen_intervals(timestamps: Sequence[float], *, max_gap_s: float) -> list[tuple[float, float]]:
    """Merge sorted sighting times into [start, end] intervals, bridging gaps up to ``max_gap_s``."""
    intervals: list[list[float]] = []
    for t in sorted(timestamps):
        if intervals and t - intervals[-1][1] <= max_gap_s:
            intervals[-1][1] = t
        else:
            intervals.append([t, t])
    return [(round(a, 3), round(b, 3)) for a, b in intervals]
