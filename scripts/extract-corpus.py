#!/usr/bin/env python3
"""Extract the Markdown inputs of pulldown-cmark's test suite into JSON corpus files.

The corpus feeds bindery's XHTML sanitizer checks: every example is rendered to HTML,
cleaned by `xhtml::sanitize`, and must come out as valid EPUB 3 XHTML. The examples are
the CommonMark spec (tests/suite/spec.rs) and pulldown-cmark's extension and regression
tests, which hold the oddest HTML a Markdown author can produce.

Usage: scripts/extract-corpus.py [PULLDOWN_CMARK_SOURCE_DIR]
Without an argument the newest pulldown-cmark-0.13.* under ~/.cargo/registry/src is used.
Writes tests/corpus/commonmark-spec.json and tests/corpus/extensions.json.
"""

import glob
import json
import os
import re
import sys

# The test files generated from the spec and extension documents. Each test case is
#     fn <name>_test_<n>() { let original = r##"<markdown>"##; ... }
EXTENSION_FILES = [
    "footnotes.rs",
    "gfm_table.rs",
    "gfm_tasklist.rs",
    "gfm_strikethrough.rs",
    "smart_punct.rs",
    "heading_attrs.rs",
    "definition_lists.rs",
    "regression.rs",
    "table.rs",
]

CASE = re.compile(r'fn (\w+?)_test_(\d+)\(\) \{\s*let original = r##"(.*?)"##;', re.S)


def find_source() -> str:
    if len(sys.argv) > 1:
        return sys.argv[1]
    pattern = os.path.expanduser("~/.cargo/registry/src/*/pulldown-cmark-0.13.*")
    candidates = sorted(glob.glob(pattern))
    if not candidates:
        sys.exit("pulldown-cmark 0.13 sources not found; pass the directory as an argument")
    return candidates[-1]


def extract(path: str, prefix: str) -> list:
    with open(path, encoding="utf-8") as f:
        text = f.read()
    cases = [
        {"name": f"{prefix}-{number}", "markdown": markdown}
        for _, number, markdown in CASE.findall(text)
    ]
    declared = text.count("let original = ")
    if len(cases) != declared:
        sys.exit(f"{path}: extracted {len(cases)} of {declared} examples; the format changed")
    return cases


def write(path: str, cases: list) -> None:
    with open(path, "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{path}: {len(cases)} examples")


def main() -> None:
    suite = os.path.join(find_source(), "tests", "suite")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    corpus = os.path.join(root, "tests", "corpus")
    os.makedirs(corpus, exist_ok=True)

    write(os.path.join(corpus, "commonmark-spec.json"), extract(os.path.join(suite, "spec.rs"), "spec"))
    extensions = []
    for name in EXTENSION_FILES:
        extensions += extract(os.path.join(suite, name), name.removesuffix(".rs").replace("_", "-"))
    write(os.path.join(corpus, "extensions.json"), extensions)


if __name__ == "__main__":
    main()
