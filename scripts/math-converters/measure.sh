#!/usr/bin/env bash
# Converts every formula of tests/corpus/math/sympy-formulas.md with each candidate converter
# and compares the symbols of its MathML with pandoc's (texmath), the reference.
# Needs cargo, python3 and pandoc ($PANDOC or on PATH). Prints one count per converter.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 "$here/compare.py" extract "$here/../../tests/corpus/math/sympy-formulas.md" "$work"
"${PANDOC:-pandoc}" -f markdown -t html --mathml "$work/ref.md" -o "$work/ref.html"
cargo run --quiet --release --locked --manifest-path "$here/Cargo.toml" --target-dir "$here/../../target/math-converters" < "$work/formulas.json" > "$work/results.json"
python3 "$here/compare.py" compare "$work" "${1:-}"
