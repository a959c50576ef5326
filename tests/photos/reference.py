"""LittleCMS's reading of a test photo, for tests/photo_colour.rs to compare bindery against.

usage: reference.py SOURCE OUTDIR

Writes OUTDIR/decoded.png (the source's pixels as Pillow decodes them, before any colour
conversion; RGB sources only) and OUTDIR/srgb.png (the same pixels converted to sRGB by
LittleCMS through Pillow's ImageCms, perceptual intent; CMYK without a profile by Pillow's
own formula, which is what browsers do too).
"""
import io
import sys

from PIL import Image, ImageCms

source, outdir = sys.argv[1], sys.argv[2]
image = Image.open(source)
image.load()
profile = image.info.get("icc_profile")
if image.mode == "RGB":
    image.save(f"{outdir}/decoded.png")
if profile:
    converted = ImageCms.profileToProfile(
        image,
        ImageCms.ImageCmsProfile(io.BytesIO(profile)),
        ImageCms.createProfile("sRGB"),
        renderingIntent=ImageCms.Intent.PERCEPTUAL,
        outputMode="RGB",
    )
else:
    converted = image.convert("RGB")
converted.save(f"{outdir}/srgb.png")
