"""A fake webcam for Chromium: a still photo written as a short Y4M (YUV 4:2:0) video it can loop."""

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

WIDTH, HEIGHT, FRAMES = 640, 480, 10


def write_y4m(photo: Path, target: Path) -> Path:
    frame = ImageOps.pad(Image.open(photo).convert("RGB"), (WIDTH, HEIGHT), color=(40, 40, 40))
    y, cb, cr = (np.asarray(plane) for plane in frame.convert("YCbCr").split())
    half = (WIDTH // 2, HEIGHT // 2)
    chroma = [np.asarray(Image.fromarray(p).resize(half, Image.Resampling.BILINEAR)) for p in (cb, cr)]
    payload = b"FRAME\n" + y.tobytes() + chroma[0].tobytes() + chroma[1].tobytes()
    with target.open("wb") as stream:
        stream.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(FRAMES):
            stream.write(payload)
    return target
