#!/usr/bin/env python3
"""Make a benchmark book of the real photos the tests use (issue 11), for `scripts/bench`.

    python3 scripts/make-photo-fixtures-book.py tests/photos OUT

`tests/photos` holds small real files (their sources and licences in its README): a B&W photo
exported as RGB, wide-gamut and CMYK JPEGs, screenshots, an animated GIF, a 16-bit PNG. The
benchmark builds them as a book so their bytes in → out are measured beside vipsthumbnail's, the
closing note's "before/after size per photo".

Left out: files a default build cannot read (HEIC and AVIF need `--features heif`) and the 8×8
GPS fixture, which is a privacy test's payload and not a photo. Files whose names differ only by
extension (hopper.jpg, hopper.png …) are copied as `hopper-png.png` and so on, because
vipsthumbnail names its outputs by the file's stem. Writes OUT/images/* and OUT/essay.md, one
captioned figure per photo.
"""

from __future__ import annotations

import shutil
import sys
from collections import Counter
from pathlib import Path

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp"}
NOT_PHOTOS = {"gps-tagged.jpg"}


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    source, out = Path(sys.argv[1]), Path(sys.argv[2])
    photos = sorted(
        p for p in source.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES and p.name not in NOT_PHOTOS
    )
    stems = Counter(p.stem for p in photos)
    images = out / "images"
    images.mkdir(parents=True)
    figures = []
    for photo in photos:
        name = photo.name if stems[photo.stem] == 1 else f"{photo.stem}-{photo.suffix[1:]}{photo.suffix}"
        shutil.copyfile(photo, images / name)
        figures.append(f'![{photo.stem}](images/{name} "{name}, from tests/photos")\n')
    essay = [
        "---\n",
        'title: "The test photos"\n',
        "author: bindery benchmark\n",
        "language: en\n",
        "---\n\n",
        "The real photos of `tests/photos`, one figure each.\n\n",
    ]
    (out / "essay.md").write_text("".join(essay) + "\n".join(figures))
    for name in sorted(p.name for p in images.iterdir()):
        print(f"{name}\t{(images / name).stat().st_size}", file=sys.stderr)


if __name__ == "__main__":
    main()
