#!/usr/bin/env python3
"""Score a benchmark set's figures with SSIMULACRA2 (issue 12, item 4), for `scripts/bench`.

    python3 scripts/bench-quality.py SET_NAME BOOK DIR

DIR holds what `scripts/bench` made for the set: `default.json` and `q80.json` (bindery's
`--report json` of a build at the default settings and at `--jpeg-quality 80`, each with its
EPUB beside it as `default.epub` / `q80.epub`) and `vips/` (vipsthumbnail's outputs, named after
the sources). Prints two Markdown pieces, separated by a line holding only `%%`: summary rows
(one per variant: total figure bytes, SSIMULACRA2 min and median, figures under 70) and a
per-figure table (source bytes, each variant's bytes and score).

Each figure is scored against its source as the reader should see it: decoded by Pillow, turned
by its EXIF orientation, converted to sRGB through its ICC profile (LittleCMS), and resized with
Lanczos to the figure's own size; the metric is the PyPI `ssimulacra2` package (a NumPy port of
libjxl's tool: 90 ≈ visually lossless, 70 ≈ high quality). Setup:

    pip install ssimulacra2==0.3.0 scipy==1.17.1
"""

from __future__ import annotations

import io
import json
import statistics
import sys
import zipfile
from multiprocessing import Pool
from pathlib import Path

from PIL import Image, ImageCms, ImageOps
from ssimulacra2 import compute_ssimulacra2

VARIANTS = (
    ("bindery default", "default"),
    ("bindery --jpeg-quality 80", "q80"),
    ("vipsthumbnail Q80", "vips"),
)
SRGB = ImageCms.createProfile("sRGB")


def reference(path: Path) -> Image.Image:
    """The source as displayed: orientation applied, sRGB, RGB."""
    image = ImageOps.exif_transpose(Image.open(path))
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "RGBA", "CMYK"):
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        image = image.convert("CMYK" if image.mode == "CMYK" else "RGB")
        image = ImageCms.profileToProfile(image, source, SRGB, outputMode="RGB")
    return image.convert("RGB")


def as_ppm(image: Image.Image) -> io.BytesIO:
    """The metric opens files: hand it an uncompressed one in memory."""
    out = io.BytesIO()
    image.save(out, "PPM")
    out.seek(0)
    return out


def score_source(job: tuple[str, dict[str, bytes]]) -> tuple[str, dict[str, float]]:
    source, outputs = job
    original = reference(Path(source))
    scores = {}
    for key, data in outputs.items():
        distorted = Image.open(io.BytesIO(data)).convert("RGB")
        resized = original.resize(distorted.size, Image.Resampling.LANCZOS)
        scores[key] = compute_ssimulacra2(as_ppm(resized), as_ppm(distorted))
    return source, scores


def bindery_outputs(directory: Path, key: str, book: Path) -> dict[str, bytes]:
    """Source path (relative to the book) → the figure's bytes in the EPUB."""
    report = json.loads((directory / f"{key}.json").read_text())
    epub = zipfile.ZipFile(directory / f"{key}.epub")
    outputs = {}
    for image in report["images"]:
        source = image.get("source")
        if not source:
            continue  # the generated cover
        relative = Path(source).resolve().relative_to(book.resolve())
        outputs[str(relative)] = epub.read(f"OEBPS/images/{image['output']}")
    return outputs


def main() -> None:
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    name, book, directory = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    outputs = {key: bindery_outputs(directory, key, book) for _, key in VARIANTS[:2]}
    sources = sorted(outputs["default"])
    outputs["vips"] = {s: (directory / "vips" / (Path(s).stem + ".jpg")).read_bytes() for s in sources}
    jobs = [(str(book / s), {key: outputs[key][s] for _, key in VARIANTS}) for s in sources]
    with Pool(2) as pool:
        scores = dict(pool.map(score_source, jobs))

    q80_bytes = sum(len(outputs["q80"][s]) for s in sources)
    for label, key in VARIANTS:
        total = sum(len(outputs[key][s]) for s in sources)
        values = [scores[str(book / s)][key] for s in sources]
        under = sum(v < 70 for v in values)
        print(
            f"| {name} | {label} | {total / 1e6:.2f} MB | {100 * total / q80_bytes:.0f} % "
            f"| {min(values):.1f} | {statistics.median(values):.1f} | {under} of {len(values)} |"
        )
    print("%%")
    print("| figure | source | " + " | ".join(f"{label}: bytes, score" for label, _ in VARIANTS) + " |")
    print("|---|---|" + "---|" * len(VARIANTS))
    for s in sources:
        cells = [f"{len(outputs[key][s]):,} B, {scores[str(book / s)][key]:.1f}" for _, key in VARIANTS]
        print(f"| {Path(s).name} | {(book / s).stat().st_size:,} B | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
