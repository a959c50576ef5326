#!/usr/bin/env python3
"""Generate the stand-in photographs of the sample book (book/images/korea-01.jpg … korea-14.jpg).

Setup (Python 3.11):

    pip install pillow==13.0.0 numpy==2.4.6

Run from the repository root:

    python3 scripts/make-sample-images.py [output-folder]     # default: book/images

The original photographs of the essay are not ours to ship, so these are generated stand-ins.
They are meant to exercise the image pipeline the way real camera files do:

* photo-like content: a smooth sky gradient with soft clouds, ground and foliage textured with
  noise at several scales, buildings and people as shapes, mild sensor noise. Flat colour would
  compress far better than a photograph and make size measurements meaningless.
* camera size 4000×3000, except korea-07, stored as a 3000×4000 portrait.
* korea-13 is stored sideways, as a camera held upright writes it: 4000×3000 pixels with EXIF
  Orientation 6 ("rotate 90° clockwise to view"); viewed correctly it is a 3000×4000 portrait with
  the sky at the top. It also carries GPS latitude/longitude and camera tags (Make, Model,
  BodySerialNumber, DateTimeOriginal) and an sRGB ICC profile: metadata a build must strip.
* korea-06 carries an sRGB ICC profile and nothing else special.
* korea-04 (uncaptioned in the essay) carries a caption written into the file twice, as a
  photographer's tools do: IPTC Caption-Abstract (APP13 "Photoshop 3.0", 8BIM resource 0x0404,
  IPTC dataset 2:120, with 1:90 declaring UTF-8) and XMP dc:description (APP1 XMP packet).
  Pillow writes neither, so the segments are spliced into the JPEG bytes here.

Everything is derived from SEED, so the same library versions give byte-identical files (the ICC
profile's creation date, which lcms stamps with the current time, is pinned).
"""

from __future__ import annotations

import hashlib
import io
import struct
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageDraw, ImageFont, TiffImagePlugin

SEED = 20160414
JPEG_QUALITY = 80
LANDSCAPE = (4000, 3000)
PORTRAIT = (3000, 4000)

PORTRAIT_IMAGE = 7
SIDEWAYS_IMAGE = 13
ICC_IMAGES = {6, 13}
EMBEDDED_CAPTION_IMAGE = 4
EMBEDDED_CAPTION = "Farm workers in the fields outside the capital."


# ---------------------------------------------------------------------------------------------
# Texture


def smooth_noise(rng: np.random.Generator, width: int, height: int, cell: int) -> np.ndarray:
    """Noise in [-1, 1] with features about `cell` pixels across (a bicubic-upsampled grid)."""
    grid = rng.uniform(-1.0, 1.0, (max(2, height // cell + 2), max(2, width // cell + 2)))
    small = Image.fromarray(grid.astype(np.float32), mode="F")
    return np.asarray(small.resize((width, height), Image.Resampling.BICUBIC), dtype=np.float32)


def fractal(rng, width, height, cells=(640, 160, 40, 10), falloff=0.55) -> np.ndarray:
    """Several octaves of smooth noise, coarse ones strongest, normalised to about [-1, 1]."""
    total = np.zeros((height, width), dtype=np.float32)
    amplitude, weight = 1.0, 0.0
    for cell in cells:
        total += amplitude * smooth_noise(rng, width, height, cell)
        weight += amplitude
        amplitude *= falloff
    return total / weight


# ---------------------------------------------------------------------------------------------
# Scene


def lerp(a, b, t):
    return a + (b - a) * t


def sky_and_ground(rng, width, height, horizon, sky_top, sky_bottom, ground_near, ground_far,
                   ground_cells=(480, 120, 30, 8)):
    """Float RGB canvas: graded sky with soft clouds above `horizon`, textured ground below."""
    rows = np.arange(height, dtype=np.float32)[:, None]
    canvas = np.empty((height, width, 3), dtype=np.float32)

    sky_t = np.clip(rows / max(horizon, 1), 0.0, 1.0)
    clouds = np.clip(fractal(rng, width, height, cells=(900, 300, 90)) * 1.6 - 0.2, 0.0, 1.0)
    ground_t = np.clip((rows - horizon) / max(height - horizon, 1), 0.0, 1.0)
    texture = fractal(rng, width, height, cells=ground_cells, falloff=0.6)

    for channel in range(3):
        sky = lerp(sky_top[channel], sky_bottom[channel], sky_t) + clouds * (245 - sky_top[channel]) * 0.7
        ground = lerp(ground_far[channel], ground_near[channel], ground_t) * (1.0 + 0.22 * texture)
        canvas[:, :, channel] = np.where(rows < horizon, sky, ground)
    return canvas


def draw_blocks(draw, rng, width, horizon, count, palette, min_h, max_h):
    """Apartment blocks standing on the horizon, with rows of windows."""
    x = int(rng.uniform(-0.05, 0.05) * width)
    for _ in range(count):
        block_w = int(rng.uniform(0.08, 0.2) * width)
        block_h = int(rng.uniform(min_h, max_h) * horizon)
        colour = tuple(int(c) for c in palette[int(rng.integers(len(palette)))])
        top = horizon - block_h
        draw.rectangle([x, top, x + block_w, horizon], fill=colour)
        shade = tuple(max(0, c - 70) for c in colour)
        step_x, step_y = max(12, block_w // 9), max(12, block_h // 14)
        for wy in range(top + step_y // 2, horizon - step_y, step_y):
            for wx in range(x + step_x // 3, x + block_w - step_x // 2, step_x):
                draw.rectangle([wx, wy, wx + step_x // 2, wy + step_y // 2], fill=shade)
        x += block_w + int(rng.uniform(0.0, 0.05) * width)
        if x > width:
            break


def draw_person(draw, rng, x, foot_y, height, coat):
    """A standing figure: legs, body, arms and head, `height` pixels tall."""
    head = height * 0.13
    body_w = height * 0.26
    draw.rectangle([x - body_w * 0.35, foot_y - height * 0.45, x - body_w * 0.05, foot_y], fill=(40, 38, 36))
    draw.rectangle([x + body_w * 0.05, foot_y - height * 0.45, x + body_w * 0.35, foot_y], fill=(40, 38, 36))
    draw.rounded_rectangle([x - body_w / 2, foot_y - height * 0.85, x + body_w / 2, foot_y - height * 0.42],
                           radius=body_w * 0.2, fill=coat)
    draw.ellipse([x - head / 2, foot_y - height, x + head / 2, foot_y - height + head], fill=(196, 160, 130))
    cap = tuple(max(0, c - 30) for c in coat)
    draw.chord([x - head * 0.6, foot_y - height - head * 0.1, x + head * 0.6, foot_y - height + head * 0.6],
               180, 360, fill=cap)


def draw_people(draw, rng, width, foot_y, count, height, coats):
    for _ in range(count):
        x = rng.uniform(0.08, 0.92) * width
        y = foot_y + rng.uniform(-0.04, 0.06) * height * 3
        scale = rng.uniform(0.8, 1.15)
        coat = tuple(int(c) for c in coats[int(rng.integers(len(coats)))])
        draw_person(draw, rng, x, y, height * scale, coat)


def draw_trees(draw, rng, width, ground_y, count, size):
    for _ in range(count):
        x = rng.uniform(0, width)
        s = size * rng.uniform(0.7, 1.3)
        draw.rectangle([x - s * 0.06, ground_y - s * 0.5, x + s * 0.06, ground_y], fill=(70, 52, 36))
        green = (int(rng.uniform(40, 70)), int(rng.uniform(85, 120)), int(rng.uniform(35, 60)))
        draw.ellipse([x - s * 0.45, ground_y - s * 1.3, x + s * 0.45, ground_y - s * 0.4], fill=green)


def draw_road(draw, width, height, horizon, colour):
    """A road narrowing towards the horizon, with a dashed centre line."""
    centre = width * 0.5
    draw.polygon([(centre - width * 0.04, horizon), (centre + width * 0.04, horizon),
                  (width * 0.95, height), (width * 0.05, height)], fill=colour)
    for i in range(12):
        t0, t1 = i / 12, (i + 0.5) / 12
        y0, y1 = lerp(horizon, height, t0 ** 1.6), lerp(horizon, height, t1 ** 1.6)
        draw.polygon([(centre - 3 - 20 * t0, y0), (centre + 3 + 20 * t0, y0),
                      (centre + 3 + 20 * t1, y1), (centre - 3 - 20 * t1, y1)], fill=(225, 215, 170))


def draw_vehicle(draw, x, ground_y, length, body):
    """A truck in profile: box body, cab with a windscreen, wheels."""
    h = length * 0.42
    draw.rectangle([x, ground_y - h, x + length * 0.72, ground_y - h * 0.2], fill=body)
    cab = [x + length * 0.74, ground_y - h * 0.75, x + length, ground_y - h * 0.2]
    draw.rectangle(cab, fill=tuple(max(0, c - 25) for c in body))
    draw.rectangle([cab[0] + length * 0.04, cab[1] + h * 0.08, cab[2] - length * 0.04, cab[1] + h * 0.3],
                   fill=(150, 170, 180))
    for wheel_x in (x + length * 0.15, x + length * 0.55, x + length * 0.88):
        r = h * 0.16
        draw.ellipse([wheel_x - r, ground_y - h * 0.2 - r, wheel_x + r, ground_y - h * 0.2 + r], fill=(25, 25, 25))


def draw_train(draw, width, ground_y, car_height, body):
    """A train of carriages crossing the whole frame, windows along each car."""
    car_length = width * 0.3
    x = -width * 0.07
    while x < width:
        draw.rectangle([x, ground_y - car_height, x + car_length - 18, ground_y - car_height * 0.12], fill=body)
        window = tuple(min(255, c + 90) for c in body)
        for wx in np.arange(x + car_length * 0.06, x + car_length - 60, car_length * 0.11):
            draw.rectangle([wx, ground_y - car_height * 0.8, wx + car_length * 0.06, ground_y - car_height * 0.5],
                           fill=window)
        for wheel_x in (x + car_length * 0.15, x + car_length * 0.8):
            r = car_height * 0.1
            draw.ellipse([wheel_x - r, ground_y - car_height * 0.12 - r, wheel_x + r, ground_y - car_height * 0.12 + r],
                         fill=(25, 25, 25))
        x += car_length


GREYS = [(176, 170, 160), (200, 190, 172), (150, 156, 160), (214, 200, 180), (190, 176, 176)]
PASTELS = [(214, 190, 160), (176, 196, 190), (220, 206, 170), (196, 176, 190), (188, 200, 210)]
WORK_COATS = [(70, 80, 90), (90, 96, 70), (60, 60, 80), (120, 110, 90)]
UNIFORMS = [(82, 92, 62), (70, 84, 58)]
DRESSES = [(150, 60, 70), (60, 90, 130), (190, 170, 120), (110, 70, 110)]

GREY_SKY = ((150, 170, 190), (214, 218, 220))
BLUE_SKY = ((84, 134, 196), (196, 214, 228))
HAZE_SKY = ((170, 182, 194), (226, 226, 220))
PAVEMENT = ((150, 148, 142), (118, 118, 114))
FIELD = ((112, 132, 64), (98, 122, 76))
EARTH = ((140, 118, 86), (128, 116, 92))


def outdoor(rng, size, *, sky, ground, horizon=0.5, blocks=0, block_palette=GREYS,
            block_height=(0.3, 0.8), road=None, people=0, person_height=0.2, coats=WORK_COATS,
            trees=0, vehicle=None, train=None, hills=False):
    width, height = size
    horizon_y = int(height * horizon)
    canvas = sky_and_ground(rng, width, height, horizon_y, sky[0], sky[1], ground[0], ground[1])
    if hills:
        ridge = horizon_y - (0.06 + 0.05 * smooth_noise(rng, width, 1, 700)[0]) * height
        rows = np.arange(height, dtype=np.float32)[:, None]
        hill = (rows >= ridge[None, :]) & (rows < horizon_y)
        hill_colour = np.array([104, 118, 120], dtype=np.float32)
        shade = 1.0 + 0.12 * fractal(rng, width, height, cells=(300, 75, 18))
        canvas = np.where(hill[:, :, None], hill_colour[None, None, :] * shade[:, :, None], canvas)

    image = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8), mode="RGB")
    draw = ImageDraw.Draw(image)
    if blocks:
        draw_blocks(draw, rng, width, horizon_y, blocks, block_palette, *block_height)
    if road:
        draw_road(draw, width, height, horizon_y, road)
    if trees:
        draw_trees(draw, rng, width, horizon_y + height * 0.02, trees, height * 0.16)
    if vehicle:
        draw_vehicle(draw, width * vehicle[0], horizon_y + height * vehicle[1], width * vehicle[2], vehicle[3])
    if train:
        draw_train(draw, width, horizon_y + height * 0.06, height * 0.2, train)
    if people:
        draw_people(draw, rng, width, horizon_y + height * 0.2, people, height * person_height, coats)
    return image


def indoor(rng, size, *, wall, floor, people, coats):
    """A hall: plain wall above, polished floor below with a soft reflection band."""
    width, height = size
    line = int(height * 0.45)
    canvas = sky_and_ground(rng, width, height, line, wall, tuple(c - 20 for c in wall), floor, floor,
                            ground_cells=(600, 150, 40))
    rows = np.arange(height, dtype=np.float32)[:, None]
    gloss = np.exp(-((rows - line * 1.35) / (height * 0.08)) ** 2) * 40
    canvas += np.where(rows >= line, gloss, 0.0)[:, :, None]
    image = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8), mode="RGB")
    draw = ImageDraw.Draw(image)
    for x in np.linspace(width * 0.1, width * 0.9, 4):
        draw.rectangle([x - width * 0.03, 0, x + width * 0.03, line], fill=tuple(c + 12 for c in wall))
    draw_people(draw, rng, width, line + height * 0.25, people, height * 0.3, coats)
    return image


def document(rng, size):
    """A printed form lying on a wooden table, seen from above and slightly skewed."""
    width, height = size
    rows = np.arange(height, dtype=np.float32)[:, None]
    grain = fractal(rng, width, height, cells=(800, 200, 50, 12))
    streaks = np.sin(rows / 37.0 + grain * 6.0)
    wood = np.stack([118 + 26 * streaks, 80 + 18 * streaks, 50 + 12 * streaks], axis=2) * (1 + 0.1 * grain[:, :, None])
    image = Image.fromarray(np.clip(wood, 0, 255).astype(np.uint8), mode="RGB")

    page = Image.new("RGB", (int(width * 0.55), int(height * 0.9)), (236, 232, 220))
    page_draw = ImageDraw.Draw(page)
    pw, ph = page.size
    page_draw.rectangle([pw * 0.08, ph * 0.05, pw * 0.92, ph * 0.1], fill=(60, 60, 70))
    y = ph * 0.15
    while y < ph * 0.92:
        if rng.uniform() < 0.12:
            page_draw.rectangle([pw * 0.08, y, pw * 0.12, y + ph * 0.02], outline=(40, 40, 40), width=4)
            start = pw * 0.15
        else:
            start = pw * 0.08
        end = start + rng.uniform(0.35, 0.8) * pw * 0.84
        page_draw.rectangle([start, y, min(end, pw * 0.92), y + ph * 0.012], fill=(70, 70, 80))
        y += ph * rng.uniform(0.025, 0.045)
    page = page.rotate(4.0, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    mask = page.convert("L").point(lambda v: 255 if v > 0 else 0)
    image.paste(page, (int(width * 0.2), int(-height * 0.02)), mask)
    return image


SCENES = {
    14: lambda rng, size: document(rng, size),
    13: lambda rng, size: outdoor(rng, size, sky=HAZE_SKY, ground=PAVEMENT, horizon=0.45, blocks=5,
                                  block_height=(0.3, 0.7), road=(96, 96, 98), people=1, person_height=0.35,
                                  coats=UNIFORMS),
    12: lambda rng, size: indoor(rng, size, wall=(200, 192, 176), floor=(150, 128, 104), people=4,
                                 coats=WORK_COATS),
    11: lambda rng, size: outdoor(rng, size, sky=BLUE_SKY, ground=PAVEMENT, horizon=0.55, blocks=8,
                                  block_palette=PASTELS, people=3, person_height=0.12),
    10: lambda rng, size: outdoor(rng, size, sky=GREY_SKY, ground=PAVEMENT, horizon=0.75, blocks=3,
                                  block_height=(0.8, 0.95), people=2, person_height=0.15),
    9: lambda rng, size: outdoor(rng, size, sky=BLUE_SKY, ground=FIELD, horizon=0.42, hills=True, trees=9),
    8: lambda rng, size: outdoor(rng, size, sky=HAZE_SKY, ground=EARTH, horizon=0.5, trees=6,
                                 vehicle=(0.25, 0.2, 0.5, (78, 90, 58))),
    7: lambda rng, size: outdoor(rng, size, sky=GREY_SKY, ground=PAVEMENT, horizon=0.5, blocks=3, people=1,
                                 person_height=0.4, coats=UNIFORMS),
    6: lambda rng, size: outdoor(rng, size, sky=HAZE_SKY, ground=EARTH, horizon=0.5, blocks=4,
                                 block_palette=GREYS, people=6, person_height=0.16, coats=DRESSES + WORK_COATS),
    5: lambda rng, size: outdoor(rng, size, sky=HAZE_SKY, ground=EARTH, horizon=0.5, blocks=2,
                                 block_height=(0.5, 0.9), people=5, person_height=0.2, coats=UNIFORMS),
    4: lambda rng, size: outdoor(rng, size, sky=BLUE_SKY, ground=FIELD, horizon=0.38, hills=True, people=7,
                                 person_height=0.12, coats=WORK_COATS),
    3: lambda rng, size: outdoor(rng, size, sky=GREY_SKY, ground=EARTH, horizon=0.5, trees=4, people=3,
                                 person_height=0.16, train=(60, 90, 80)),
    2: lambda rng, size: outdoor(rng, size, sky=BLUE_SKY, ground=EARTH, horizon=0.55, blocks=6,
                                 block_palette=PASTELS, block_height=(0.1, 0.22), trees=5, road=(120, 112, 100)),
    1: lambda rng, size: outdoor(rng, size, sky=GREY_SKY, ground=PAVEMENT, horizon=0.4, trees=8, people=5,
                                 person_height=0.18, coats=DRESSES + UNIFORMS[:1]),
}


def finish(rng, image: Image.Image, number: int, grain_sigma: float = 2.0) -> Image.Image:
    """Soft overall shading, sensor noise (mild by default), and a small label."""
    width, height = image.size
    pixels = np.asarray(image, dtype=np.float32)
    light = 1.0 + 0.05 * smooth_noise(rng, width, height, 1200)
    grain = rng.normal(0.0, grain_sigma, (height, width, 1)).astype(np.float32)
    pixels = pixels * light[:, :, None] + grain
    image = Image.fromarray(np.clip(pixels + 0.5, 0, 255).astype(np.uint8), mode="RGB")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(24, height // 60))
    draw.text((width * 0.97, height * 0.97), f"stand-in {number:02}", fill=(250, 250, 250), font=font,
              anchor="rb", stroke_width=2, stroke_fill=(30, 30, 30))
    return image


# ---------------------------------------------------------------------------------------------
# Metadata


def srgb_icc() -> bytes:
    """lcms's built-in sRGB profile, with its creation date pinned so the output is reproducible."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[24:36] = struct.pack(">6H", 2016, 4, 14, 12, 0, 0)
    if any(profile[84:100]):
        # The profile ID is an MD5 over the profile with flags, intent and the ID itself zeroed.
        scratch = bytearray(profile)
        scratch[44:48] = scratch[64:68] = bytes(4)
        scratch[84:100] = bytes(16)
        profile[84:100] = hashlib.md5(scratch).digest()
    return bytes(profile)


def camera_exif() -> Image.Exif:
    """Orientation 6, camera identity and a GPS fix over Pyongyang: what a phone or camera writes."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to view
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS 600D"  # Model
    exif_ifd = exif.get_ifd(0x8769)
    exif_ifd[0x9003] = "2015:09:21 10:42:17"  # DateTimeOriginal
    exif_ifd[0xA431] = "083021004567"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    rational = TiffImagePlugin.IFDRational
    gps[0x0000] = b"\x02\x03\x00\x00"  # GPSVersionID 2.3
    gps[0x0001] = "N"
    gps[0x0002] = (rational(39, 1), rational(1, 1), rational(3270, 100))
    gps[0x0003] = "E"
    gps[0x0004] = (rational(125, 1), rational(45, 1), rational(2850, 100))
    return exif


def app_segment(marker: int, payload: bytes) -> bytes:
    if len(payload) + 2 > 0xFFFF:
        raise ValueError("segment too large")
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def iptc_segment(caption: str) -> bytes:
    """APP13 "Photoshop 3.0" with one 8BIM IPTC-NAA resource (0x0404) holding 1:90 and 2:120."""
    def dataset(record: int, number: int, value: bytes) -> bytes:
        return struct.pack(">BBBH", 0x1C, record, number, len(value)) + value

    iim = (dataset(1, 90, b"\x1b%G")  # CodedCharacterSet: UTF-8
           + dataset(2, 0, b"\x00\x04")  # ApplicationRecordVersion 4
           + dataset(2, 120, caption.encode("utf-8")))  # Caption-Abstract
    if len(iim) % 2:
        padded = iim + b"\x00"
    else:
        padded = iim
    resource = b"8BIM" + struct.pack(">H", 0x0404) + b"\x00\x00" + struct.pack(">I", len(iim)) + padded
    return app_segment(0xED, b"Photoshop 3.0\x00" + resource)


def xmp_segment(caption: str) -> bytes:
    escaped = caption.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        ' <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '  <rdf:Description rdf:about=""\n'
        '    xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        '   <dc:description>\n'
        '    <rdf:Alt>\n'
        f'     <rdf:li xml:lang="x-default">{escaped}</rdf:li>\n'
        '    </rdf:Alt>\n'
        '   </dc:description>\n'
        '  </rdf:Description>\n'
        ' </rdf:RDF>\n'
        '</x:xmpmeta>\n'
        '<?xpacket end="w"?>'
    )
    return app_segment(0xE1, b"http://ns.adobe.com/xap/1.0/\x00" + packet.encode("utf-8"))


def insert_after_app_segments(jpeg: bytes, segments: bytes) -> bytes:
    """Splice `segments` in after SOI and the leading APPn segments (JFIF, Exif, ICC)."""
    if jpeg[:2] != b"\xff\xd8":
        raise ValueError("not a JPEG")
    position = 2
    while jpeg[position] == 0xFF and 0xE0 <= jpeg[position + 1] <= 0xEF:
        (length,) = struct.unpack(">H", jpeg[position + 2:position + 4])
        position += 2 + length
    return jpeg[:position] + segments + jpeg[position:]


# ---------------------------------------------------------------------------------------------


def make(number: int) -> bytes:
    rng = np.random.default_rng([SEED, number])
    sideways = number == SIDEWAYS_IMAGE
    size = PORTRAIT if number in (PORTRAIT_IMAGE, SIDEWAYS_IMAGE) else LANDSCAPE
    image = finish(rng, SCENES[number](rng, size), number)
    options = {"quality": JPEG_QUALITY, "optimize": True, "subsampling": "4:2:0"}
    if sideways:
        # Stored as the sensor saw it; Orientation 6 turns it upright again.
        image = image.transpose(Image.Transpose.ROTATE_90)
        options["exif"] = camera_exif().tobytes()
    if number in ICC_IMAGES:
        options["icc_profile"] = srgb_icc()
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", **options)
    data = buffer.getvalue()
    if number == EMBEDDED_CAPTION_IMAGE:
        data = insert_after_app_segments(data, xmp_segment(EMBEDDED_CAPTION) + iptc_segment(EMBEDDED_CAPTION))
    return data


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "book/images")
    out.mkdir(parents=True, exist_ok=True)
    for number in range(1, 15):
        path = out / f"korea-{number:02}.jpg"
        data = make(number)
        path.write_bytes(data)
        print(f"{path}  {len(data) / 1024:.0f} KiB  sha256 {hashlib.sha256(data).hexdigest()[:16]}")


if __name__ == "__main__":
    main()
