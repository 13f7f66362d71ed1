"""Benchmark of the listing photo pipeline against Pillow's bare decode-and-resize.

Run with ``.venv/bin/python bench/photos.py [--repeat N]``. It makes a 24-megapixel JPEG that
compresses like a phone photo (gradients, texture, edges, sensor noise, EXIF with GPS), then
measures, each in its own child process so that peak memory is the measurement's own:

- bare: ``Image.open``, full-size ``load()``, ``resize`` to 2048 px wide (Pillow defaults,
  no draft mode): the least any pipeline must do;
- pipeline: ``portal.listings.photos.process_photo``: all variants, encoded as WebP.

It prints the median wall time of each, their ratio and each child's peak RSS next to the
targets. Needs no Flask app and no database.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.common import Row, Size, print_table, size_from_env  # noqa: E402

SIZE = (6000, 4000)
TARGET_SECONDS = 1.0
TARGET_RATIO = 1.5
TARGET_RSS_MB = 300


def make_photo(size: tuple[int, int] = SIZE) -> bytes:
    """A JPEG that looks like a photo to the encoder: smooth light, textured surfaces, hard
    edges and fine noise, quality 90 with 4:2:0 chroma as phones write, EXIF with GPS."""
    from PIL import Image, ImageDraw, ImageFilter

    width, height = size
    small = (width // 8, height // 8)
    # Smooth lighting: three differently oriented gradients as the colour channels.
    red = Image.linear_gradient("L").resize(small)
    green = Image.radial_gradient("L").resize(small)
    blue = Image.linear_gradient("L").rotate(90).resize(small)
    base = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(base)
    # Walls, windows, furniture: rectangles and ellipses with hard edges.
    for index in range(60):
        x = (index * 97) % small[0]
        y = (index * 53) % small[1]
        box = (x, y, x + 20 + (index * 13) % 120, y + 15 + (index * 7) % 90)
        colour = ((index * 40) % 256, (index * 70) % 256, (index * 110) % 256)
        if index % 3:
            draw.rectangle(box, fill=colour)
        else:
            draw.ellipse(box, fill=colour)
    image = base.resize(size, Image.Resampling.BICUBIC)
    # Texture at several scales (wood, plaster, fabric) and fine sensor noise.
    coarse = Image.effect_noise(small, 40).resize(size, Image.Resampling.BICUBIC)
    texture = Image.effect_noise(size, 30).filter(ImageFilter.GaussianBlur(1.2))
    grain = Image.effect_noise(size, 30)
    for layer, weight in ((coarse, 0.18), (texture, 0.2), (grain, 0.25)):
        image = Image.blend(image, Image.merge("RGB", (layer, layer, layer)), weight)
    exif = Image.Exif()
    exif[0x010F] = "BenchPhone"  # Make
    exif[0x0110] = "BenchPhone 12"  # Model
    exif[0x0112] = 1  # Orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (51.0, 26.0, 7.5)  # Duisburg
    gps[3], gps[4] = "E", (6.0, 45.0, 44.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90, subsampling="4:2:0", exif=exif)
    return buffer.getvalue()


def _bare(data: bytes) -> None:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        image.load()
        width, height = image.size
        image.resize((2048, round(height * 2048 / width)))


def _pipeline(data: bytes) -> None:
    from portal.listings.photos import process_photo

    process_photo(io.BytesIO(data))


def child(kind: str, path: str, repeat: int, pixels: str) -> None:
    """Run one measurement in this (child) process and print its figures as JSON."""
    if kind == "make":
        width, height = (int(n) for n in pixels.split("x"))
        Path(path).write_bytes(make_photo((width, height)))
        return
    data = Path(path).read_bytes()
    work = {"bare": _bare, "pipeline": _pipeline, "idle": None}[kind]
    if work is None:  # the interpreter plus imports, for reference
        from portal.listings import photos  # noqa: F401

        times: list[float] = []
    else:
        work(data)  # warm-up: imports, codec tables
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            work(data)
            times.append(time.perf_counter() - start)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux
    print(json.dumps({"times": times, "peak_mb": peak_kb / 1024}))


def measure(kind: str, path: str, repeat: int) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, "--child", kind, path, "--repeat", str(repeat)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def run(size: Size) -> list[Row]:
    """The pipeline's median time, its ratio to Pillow's bare decode-and-resize, and its peak
    memory, each against its target."""
    repeat = 7 if size.name == "full" else 1
    pixels = "x".join(str(n) for n in size.photo)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "photo.jpg")
        # Linux carries a process's peak RSS over into children it starts, so this process
        # stays small until the measurements are done: the photo is made in a child too.
        subprocess.run(
            [sys.executable, __file__, "--child", "make", path, "--pixels", pixels], check=True
        )
        megabytes = Path(path).stat().st_size / 1e6
        bare = measure("bare", path, repeat)
        pipeline = measure("pipeline", path, repeat)
    bare_s = statistics.median(bare["times"])
    pipe_s = statistics.median(pipeline["times"])
    ratio = pipe_s / bare_s
    photo = f"{pixels} JPEG, {megabytes:.1f} MB, median of {repeat}"
    return [
        Row(
            "photos",
            f"pipeline time ({photo})",
            f"{pipe_s:.3f} s (bare Pillow {bare_s:.3f} s)",
            f"< {TARGET_SECONDS} s",
            pipe_s < TARGET_SECONDS,
        ),
        Row(
            "photos",
            "pipeline / bare Pillow",
            f"{ratio:.2f} x",
            f"< {TARGET_RATIO} x",
            ratio < TARGET_RATIO,
        ),
        Row(
            "photos",
            "pipeline peak memory",
            f"{pipeline['peak_mb']:.0f} MB (bare {bare['peak_mb']:.0f} MB)",
            f"< {TARGET_RSS_MB} MB",
            pipeline["peak_mb"] < TARGET_RSS_MB,
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--pixels", default="x".join(str(n) for n in SIZE))
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.repeat, args.pixels)
        return
    print_table(run(size_from_env()), "Photo benchmark (bench/photos.py)")


if __name__ == "__main__":
    main()
