#!/usr/bin/env python3
"""Generate the benchmark books that `scripts/bench` builds (never committed: they are large).

Setup (Python 3.11), the same as for the sample book:

    pip install pillow==13.0.0 numpy==2.4.6

Two modes, run from the repository root:

    python3 scripts/make-bench-images.py camera OUT
    python3 scripts/make-bench-images.py copies N CAMERA_IMAGES OUT

`camera` writes OUT/images/bench-01 … bench-14 and OUT/essay.md, a book with one figure per
photo. The scenes are the sample book's stand-ins (scripts/make-sample-images.py), but saved
the way a phone saves them, so the benchmark measures what users feed bindery:

* 4000×3000 (12 MP), JPEG quality 92, 4:2:0, with stronger sensor noise than the sample book:
  each file is about 3.2 MB, like a phone photo (the sample book's are quality 80, ~0.5 MB);
* bench-07 is a portrait stored as 3000×4000;
* bench-13 is stored sideways with EXIF Orientation 6, GPS and camera tags, and an ICC profile
  (bench-06 carries an ICC profile too);
* bench-12 (a hall) and bench-14 (a printed form on a table) are 4000×3000 PNGs, photos saved
  losslessly (~18 MB each): PNG sources take the general decoder, with no reduced-scale decoding,
  and are the largest jobs in memory.

`copies` writes N distinct sources made from the camera images, cycling through them, and a
book using each once: every JPEG copy gets a COM segment and every PNG copy a tEXt chunk naming
its number, so each file has its own bytes (and its own cache key) while decoding to the same
pixels. The cycle starts with the two PNGs, so a 10-image book holds the same largest files as a
1000-image one: peak memory is two workers on the two largest images, whatever the count. That is how the memory benchmark gets 10 and 1000 camera-size photos without generating
1000 scenes.

Everything is derived from the sample book's SEED: the same library versions give identical files.
"""

from __future__ import annotations

import importlib.util
import io
import struct
import sys
import zlib
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("sample_images", HERE / "make-sample-images.py")
sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sample)

CAMERA_QUALITY = 92
# Luma noise of this strength brings a 12 MP quality-92 JPEG of these scenes to ~3.2 MB.
CAMERA_GRAIN_SIGMA = 5.0
PNG_IMAGES = (12, 14)
COUNT = 14


def camera_file_name(number: int) -> str:
    return f"bench-{number:02}.{'png' if number in PNG_IMAGES else 'jpg'}"


def make_camera_image(number: int) -> bytes:
    rng = np.random.default_rng([sample.SEED, number])
    portrait = number in (sample.PORTRAIT_IMAGE, sample.SIDEWAYS_IMAGE)
    size = sample.PORTRAIT if portrait else sample.LANDSCAPE
    image = sample.finish(rng, sample.SCENES[number](rng, size), number, CAMERA_GRAIN_SIGMA)
    buffer = io.BytesIO()
    if number in PNG_IMAGES:
        image.save(buffer, "PNG", compress_level=6)
        return buffer.getvalue()
    options = {"quality": CAMERA_QUALITY, "subsampling": "4:2:0"}
    if number == sample.SIDEWAYS_IMAGE:
        image = image.transpose(Image.Transpose.ROTATE_90)
        options["exif"] = sample.camera_exif().tobytes()
    if number in sample.ICC_IMAGES:
        options["icc_profile"] = sample.srgb_icc()
    image.save(buffer, "JPEG", **options)
    return buffer.getvalue()


def write_camera_image(args: tuple[int, Path]) -> str:
    number, folder = args
    path = folder / camera_file_name(number)
    data = make_camera_image(number)
    path.write_bytes(data)
    return f"{path}  {len(data) / 1e6:.1f} MB"


def with_marker(data: bytes, marker: str) -> bytes:
    """The same image with `marker` stored in a comment: distinct bytes, identical pixels."""
    text = marker.encode("ascii")
    if data[:2] == b"\xff\xd8":
        return data[:2] + struct.pack(">BBH", 0xFF, 0xFE, len(text) + 2) + text + data[2:]
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        ihdr_end = 8 + 8 + 13 + 4  # signature, IHDR length+type, IHDR data, CRC
        body = b"tEXt" + b"Comment\x00" + text
        chunk = struct.pack(">I", len(body) - 4) + body + struct.pack(">I", zlib.crc32(body))
        return data[:ihdr_end] + chunk + data[ihdr_end:]
    raise ValueError("neither JPEG nor PNG")


def write_essay(out: Path, names: list[str]) -> None:
    """A book with a paragraph and a captioned figure per image."""
    lines = ["---", f"title: Benchmark, {len(names)} photographs", "language: en", "---", ""]
    for index, name in enumerate(names, start=1):
        if (index - 1) % 10 == 0:
            lines += [f"# Part {(index - 1) // 10 + 1}", ""]
        lines += [
            f"Photograph {index} was taken on the road north of the capital, early in the "
            "morning, before the fields filled with workers and the buses began to run.",
            "",
            f'![Stand-in photograph {index}](images/{name} "Figure {index}: {name}")',
            "",
        ]
    (out / "essay.md").write_text("\n".join(lines), encoding="utf-8")


def camera(out: Path) -> None:
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
    # Two processes: the scenes are numpy-heavy and independent, and the output is the same.
    with Pool(2) as pool:
        for line in pool.imap(write_camera_image, [(n, images) for n in range(1, COUNT + 1)]):
            print(line)
    write_essay(out, [camera_file_name(n) for n in range(1, COUNT + 1)])


def copies(count: int, source: Path, out: Path) -> None:
    order = list(PNG_IMAGES) + [n for n in range(1, COUNT + 1) if n not in PNG_IMAGES]
    originals = [source / camera_file_name(n) for n in order]
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
    names = []
    for index in range(count):
        original = originals[index % COUNT]
        name = f"copy-{index + 1:04}{original.suffix}"
        data = with_marker(original.read_bytes(), f"bindery benchmark copy {index + 1}")
        (images / name).write_bytes(data)
        names.append(name)
    write_essay(out, names)
    print(f"{out}: {count} images")


def main() -> None:
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "camera":
        camera(Path(args[1]))
    elif len(args) == 4 and args[0] == "copies" and args[1].isdigit():
        copies(int(args[1]), Path(args[2]), Path(args[3]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
