#!/usr/bin/env python3
"""Writes the fuzzers' seed corpora into fuzz/seeds/ (run from anywhere).

markdown_to_xhtml: every Markdown example of tests/corpus/*.json (the CommonMark spec and
pulldown-cmark's extension tests), plus a few front-matter blocks.
image_decode: the sample book's photos cut down to small JPEG and PNG files (needs Pillow),
plus truncated copies of them.
"""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent

markdown = HERE / "seeds" / "markdown_to_xhtml"
markdown.mkdir(parents=True, exist_ok=True)
for corpus in sorted((REPO / "tests" / "corpus").glob("*.json")):
    for example in json.loads(corpus.read_text(encoding="utf-8")):
        (markdown / f"{example['name']}.md").write_text(example["markdown"], encoding="utf-8")
front_matter = {
    "fm-full": "---\ntitle: Tides\nauthor: [Ada, {name: Bo, role: ill}]\nlanguage: pt-BR\n"
    "date: 2016-05-03\nisbn: 978-3-16-148410-0\nsubjects: [sea]\ntoc-depth: 2\n"
    "split-level: 2\n---\n# One\n\n![a *cap*](images/a.jpg)\n\n## Two\n\n[x](#one)\n",
    "fm-alias": "---\na: &a [x, x]\nb: &b [*a, *a]\ntitle: *b\n---\nbody\n",
    "fm-html": "---\ntitle: <b>T</b>\n---\n<div onclick=x><script>1</script><iframe></iframe>"
    "<a href='javascript:x'>y</a></div>\n",
}
for name, text in front_matter.items():
    (markdown / f"{name}.md").write_text(text, encoding="utf-8")

from PIL import Image  # noqa: E402  (only the image seeds need Pillow)

images = HERE / "seeds" / "image_decode"
images.mkdir(parents=True, exist_ok=True)
for index, photo in enumerate(sorted((REPO / "book" / "images").glob("*.jpg"))[:3]):
    with Image.open(photo) as image:
        image.thumbnail((48, 48))
        jpeg = images / f"photo-{index}.jpg"
        png = images / f"photo-{index}.png"
        image.save(jpeg, quality=70)
        image.save(png)
        image.convert("L").save(images / f"photo-{index}-grey.png")
        image.save(images / f"photo-{index}-progressive.jpg", quality=70, progressive=True)
    for seed in (jpeg, png):
        data = seed.read_bytes()
        (images / f"{seed.stem}-truncated{seed.suffix}").write_bytes(data[: len(data) // 2])
