#!/usr/bin/env python3
"""Make the benchmark's real-photo book from Debian wallpaper packages (issue 12, item 4).

    python3 scripts/make-real-photos.py DEBS OUT

The phone-style set of `scripts/make-bench-images.py` is generated: its noise and its scenes are
not what cameras and renderers make, and it hid the cost of large progressive JPEGs. This set is
made of real photographs and renders, taken from three Debian packages at pinned versions
(downloaded into DEBS with `apt-get download`, once; never committed: the files are the
packages' authors', and large). Where the packages lack a shape the issue asks for, a file is
converted from one of them, deterministically (Pillow, pinned in scripts/bench):

| file | from | shape |
|---|---|---|
| real-01 … real-05 | mate-backgrounds: nature/{Aqua,Garden,LadyBird,TwoWings,YellowFlower}.jpg | 2560×1600 JPEGs, as shipped |
| real-06 | lomiri-wallpapers-20.04: Kleiber_by_Lukas_Baubkus.jpg (6028×3391 photo) | 5120×2880 progressive JPEG, quality 92 |
| real-07 | mate-backgrounds: abstract/Elephants_5640x3172.jpg (a painting) | 5120×2880 progressive JPEG, quality 92 |
| real-08 | ukui-wallpapers: goldfish.png (3640×2400 render) | PNG with alpha, as shipped |
| real-09 | mate-backgrounds: nature/Wood.jpg | black-and-white photo exported as RGB JPEG, quality 90 |
| real-10 | lomiri-wallpapers-20.04: Infinite-Sea_by_Aury88.jpg (4096×4096 photo) | 4096×3072 phone photo stored sideways, EXIF Orientation 6, quality 92 |
| real-11 … real-13 | mate-backgrounds: nature/{Storm,RainDrops,Blinds}.jpg | 1920 px JPEGs, as shipped |
| real-14 | ukui-wallpapers: rhythm.jpg (3840×2400 render) | progressive JPEG, as shipped |

Licences (from each package's debian/copyright): mate-backgrounds GPL-2+ (nature/* by Charles
Barbin, Jean-François Fortin Tam, Sergey Nazarov, "blackcombwhistler07", Lennart Poettering and
Andrea Cimitan; Elephants by Wyng Stancikaite); lomiri-wallpapers-20.04 CC-BY-SA-3.0 (Lukas
Baubkus, Aury88); ukui-wallpapers CC-BY-SA-3.0 (Ubuntu Kylin community contributors).

Writes OUT/images/real-NN.{jpg,png} and OUT/essay.md (one captioned figure per photo), and prints
each file's size and SHA-256 so two machines can compare their sets.
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import sys
import tarfile
from pathlib import Path

from PIL import Image, ImageOps

# Pinned so every machine benchmarks the same bytes (Debian 12 "bookworm" versions).
PACKAGES = {
    "mate-backgrounds": "1.26.0-1",
    "lomiri-wallpapers-20.04": "20.04.0-2",
    "ukui-wallpapers": "20.04.3-1.1",
}
MATE = "./usr/share/backgrounds/mate/"
BACKGROUNDS = "./usr/share/backgrounds/"

# (output name, package, path inside it, conversion)
PHOTOS = [
    ("real-01.jpg", "mate-backgrounds", MATE + "nature/Aqua.jpg", "copy"),
    ("real-02.jpg", "mate-backgrounds", MATE + "nature/Garden.jpg", "copy"),
    ("real-03.jpg", "mate-backgrounds", MATE + "nature/LadyBird.jpg", "copy"),
    ("real-04.jpg", "mate-backgrounds", MATE + "nature/TwoWings.jpg", "copy"),
    ("real-05.jpg", "mate-backgrounds", MATE + "nature/YellowFlower.jpg", "copy"),
    ("real-06.jpg", "lomiri-wallpapers-20.04", BACKGROUNDS + "Kleiber_by_Lukas_Baubkus.jpg", "5k-progressive"),
    ("real-07.jpg", "mate-backgrounds", MATE + "abstract/Elephants_5640x3172.jpg", "5k-progressive"),
    ("real-08.png", "ukui-wallpapers", BACKGROUNDS + "goldfish.png", "copy"),
    ("real-09.jpg", "mate-backgrounds", MATE + "nature/Wood.jpg", "grey-as-rgb"),
    ("real-10.jpg", "lomiri-wallpapers-20.04", BACKGROUNDS + "Infinite-Sea_by_Aury88.jpg", "phone-rotated"),
    ("real-11.jpg", "mate-backgrounds", MATE + "nature/Storm.jpg", "copy"),
    ("real-12.jpg", "mate-backgrounds", MATE + "nature/RainDrops.jpg", "copy"),
    ("real-13.jpg", "mate-backgrounds", MATE + "nature/Blinds.jpg", "copy"),
    ("real-14.jpg", "ukui-wallpapers", BACKGROUNDS + "rhythm.jpg", "copy"),
]


def fetch_debs(debs: Path) -> dict[str, Path]:
    """Each pinned package's .deb in DEBS, downloaded the first time."""
    debs.mkdir(parents=True, exist_ok=True)
    found = {}
    for package, version in PACKAGES.items():
        # apt-get download names the file with the version's colon escaped; none of these has an epoch.
        path = debs / f"{package}_{version}_all.deb"
        if not path.exists():
            print(f"downloading {package}={version}", file=sys.stderr)
            result = subprocess.run(["apt-get", "download", f"{package}={version}"], cwd=debs)
            if result.returncode != 0 or not path.exists():
                sys.exit(
                    f"make-real-photos: could not download {package}={version} "
                    "(run `apt-get update` first; the versions are Debian 12's)"
                )
        found[package] = path
    return found


def deb_members(deb: Path, wanted: set[str]) -> dict[str, bytes]:
    """The wanted files of a .deb's data archive (dpkg-deb does the ar and compression)."""
    data = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], check=True, capture_output=True).stdout
    out = {}
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        for member in tar:
            if member.name in wanted:
                handle = tar.extractfile(member)
                assert handle is not None, member.name
                out[member.name] = handle.read()
    missing = wanted - out.keys()
    if missing:
        sys.exit(f"make-real-photos: {deb.name} lacks {sorted(missing)}")
    return out


def to_5k_progressive(data: bytes) -> bytes:
    """Scale and centre-crop to 5120×2880 (16:9), saved as a camera-quality progressive JPEG."""
    image = ImageOps.fit(Image.open(io.BytesIO(data)).convert("RGB"), (5120, 2880), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=92, progressive=True, optimize=True, subsampling="4:2:0")
    return out.getvalue()


def grey_as_rgb(data: bytes) -> bytes:
    """A black-and-white conversion exported as an RGB JPEG, as Lightroom and phones write it."""
    image = Image.open(io.BytesIO(data))
    image = ImageOps.exif_transpose(image).convert("L").convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, subsampling="4:2:0")
    return out.getvalue()


def phone_rotated(data: bytes) -> bytes:
    """A 12.6 MP 4:3 photo stored sideways with EXIF Orientation 6 and camera tags, as phones do."""
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image = image.crop((0, 512, 4096, 512 + 3072))  # 4:3 landscape, the horizon kept
    # Orientation 6 means "rotate 90° clockwise to display": store it turned the other way.
    stored = image.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "Bindery Benchmark"  # Make
    exif[0x0110] = "Phone 1"  # Model
    out = io.BytesIO()
    stored.save(out, "JPEG", quality=92, subsampling="4:2:0", exif=exif.tobytes())
    return out.getvalue()


CONVERSIONS = {
    "copy": lambda data: data,
    "5k-progressive": to_5k_progressive,
    "grey-as-rgb": grey_as_rgb,
    "phone-rotated": phone_rotated,
}


def write_essay(out: Path, names: list[str]) -> None:
    lines = ["---", f"title: Benchmark, {len(names)} real photographs", "language: en", "---", "", "# Photographs", ""]
    for index, name in enumerate(names, start=1):
        lines += [
            f"Photograph {index} comes from a Debian wallpaper package.",
            "",
            f'![Real photograph {index}](images/{name} "Figure {index}: {name}")',
            "",
        ]
    (out / "essay.md").write_text("\n".join(lines), encoding="utf-8")


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    debs, out = Path(sys.argv[1]), Path(sys.argv[2])
    packages = fetch_debs(debs)
    contents: dict[str, bytes] = {}
    for package, deb in packages.items():
        wanted = {path for _, p, path, _ in PHOTOS if p == package}
        contents.update(deb_members(deb, wanted))
    images = out / "images"
    images.mkdir(parents=True, exist_ok=True)
    for name, package, path, conversion in PHOTOS:
        data = CONVERSIONS[conversion](contents[path])
        (images / name).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()[:16]
        print(f"{name}  {len(data):>9} B  sha256 {digest}…  {package}:{path[2:]} ({conversion})")
    write_essay(out, [name for name, *_ in PHOTOS])


if __name__ == "__main__":
    main()
