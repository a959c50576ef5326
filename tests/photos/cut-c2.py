# How tests/photos/ (C2's files) were cut from the packages; run in the folder holding the
# extracted pillow-11.3.0 and pillow_heif-1.1.0 sdists.
import shutil, io
from PIL import Image
import pillow_heif
out = "tests/photos/"  # run from the repository root, with the sdists extracted there
P = "pillow-11.3.0/Tests/images/"  # pillow 11.3.0 sdist
H = "pillow_heif-1.1.0/tests/images/"  # pillow-heif 1.1.0 sdist
# Adobe RGB: the 2000x1072 photo scaled to 640 px wide, its Adobe RGB (1998) profile kept, nothing else.
im = Image.open(P + "xmp_test.jpg")
icc = im.info["icc_profile"]
im.resize((640, round(640 * im.height / im.width)), Image.LANCZOS).save(out + "adobe-rgb.jpg", quality=90, icc_profile=icc)
# Display P3: the iPhone photo (HEIC, 4032x3024) decoded by libheif, scaled to 640 px wide, saved as
# JPEG with its Display P3 profile.
h = pillow_heif.open_heif(H + "heif_other/pug.heic", convert_hdr_to_8bit=True)
im = h.to_pillow()
icc = h.info["icc_profile"]
im.resize((640, round(640 * im.height / im.width)), Image.LANCZOS).save(out + "display-p3.jpg", quality=90, icc_profile=icc)
# Unchanged copies.
for src, dst in [(P + "pil_sample_cmyk.jpg", "cmyk-ycck.jpg"), (H + "non_heif/RGB_16__128x128.png", "rgb-16bit.png"),
                 (H + "heif_other/arrow.heic", "iphone-rotated.heic"), (P + "avif/hopper.avif", "hopper.avif"),
                 (P + "chi.gif", "animated.gif")]:
    shutil.copyfile(src, out + dst)
