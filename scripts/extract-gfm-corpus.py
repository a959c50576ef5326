#!/usr/bin/env python3
"""Extract the examples of the GitHub Flavored Markdown spec into tests/corpus/gfm-spec.json.

The spec (cmark-gfm's test/spec.txt, version 0.29-gfm) is taken from the sdist of the PyPI
package `marko` 2.2.4, which ships it as tests/spec/gfm.txt: get it with
    pip download --no-deps --no-binary :all: marko==2.2.4
and pass the unpacked file. Each example becomes {"name", "extension", "markdown", "html"}:
`extension` is the spec's tag (table, strikethrough, autolink, disabled for task lists,
tagfilter) or "" for the CommonMark core; `html` is the spec's expected output, kept only for
the extension examples, whose text bindery must preserve (tests/it/build.rs).

Usage: scripts/extract-gfm-corpus.py PATH/TO/gfm.txt
"""

import json
import os
import re
import sys

FENCE = "`" * 32
START = re.compile(r"^" + FENCE + r" example ?(\w*)$")


def examples(text):
    lines = text.split("\n")
    found = []
    i = 0
    while i < len(lines):
        match = START.match(lines[i])
        if not match:
            i += 1
            continue
        extension = match.group(1)
        i += 1
        markdown = []
        while lines[i] != ".":
            markdown.append(lines[i])
            i += 1
        i += 1
        html = []
        while lines[i] != FENCE:
            html.append(lines[i])
            i += 1
        i += 1
        # The spec writes tabs as `→`.
        md = "\n".join(markdown).replace("\u2192", "\t") + "\n"
        out = "\n".join(html).replace("\u2192", "\t") + "\n"
        found.append((extension, md, out))
    return found


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    corpus = []
    for number, (extension, markdown, html) in enumerate(examples(text), start=1):
        corpus.append(
            {
                "name": f"gfm-{number}",
                "extension": extension,
                "markdown": markdown,
                "html": html if extension else "",
            }
        )
    target = os.path.join(os.path.dirname(__file__), "..", "tests", "corpus", "gfm-spec.json")
    with open(target, "w", encoding="utf-8") as f:
        json.dump(corpus, f, ensure_ascii=False, indent=0)
        f.write("\n")
    print(f"{len(corpus)} examples, {sum(1 for c in corpus if c['extension'])} of extensions")


if __name__ == "__main__":
    main()
