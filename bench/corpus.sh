#!/usr/bin/env bash
# Build the pinned pytest-suite corpus used by bench/bench.py.
#
#   bench/corpus.sh [DIR]          (default DIR: bench/.corpus, git-ignored)
#   PY=python3.12 bench/corpus.sh  (interpreter whose pip is used as downloader)
#
# Pins are the project's own copy of /work/shared/corpus/make_corpus.sh's list:
# same projects, versions, files (sha256-verified). The layout is the same too:
#
#   DIR/dl/<project>-<ver>/        downloaded wheel / sdist (re-used when its sha256 matches)
#   DIR/full/<project>-<ver>/      each distribution unpacked in full
#   DIR/corpus/<project>-<ver>/    only test_*.py, *_test.py and conftest.py files,
#                                  relative paths (and so the conftest hierarchy) kept
#   DIR/corpus/FILES.txt           sorted list of corpus files (relative to DIR/corpus)
#   DIR/corpus/MANIFEST.sha256     sha256 of every corpus file
#
# The digest of MANIFEST.sha256 is pinned as well (MANIFEST_DIGEST below): a
# corpus that does not reproduce it is reported and the script exits 1.
#
# Needs: bash, python3 with pip >= 23 (used only as a downloader: --no-deps), tar,
# sha256sum, access to PyPI (building sdist metadata fetches build backends).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case "${1:-}" in
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
EVAL=${1:-$HERE/.corpus}
PY=${PY:-python3}
PIP=("$PY" -m pip download --disable-pip-version-check --no-deps)

# project  version  kind   sha256 of the downloaded file
PINS=$(cat <<'EOF'
pandas        3.1.1      wheel  4f1602f614bb83f443381dbcbb94c4ac764b2e50c8d6c965614c5cd83e328c47
scikit-learn  1.9.1      wheel  52a0703bbc07ad27f560fa63fa68e4c54dd735bfbbf65b4dd3c225dc7547b6df
numpy         2.4.6      wheel  89cd468399cfd2504718f0ba50e410dca55a170b61a02ad92bb18c8a65186e93
pytest        9.2.0      sdist  97c4f3b1f3c7414aa36465e09b8220f1d03627993bd51b1282e193753c80557b
pydantic      2.14.4     sdist  7c19f1d46f8accf55a4617a6116e1ade64840870f397b846a2c53fb9019414ba
httpx         0.28.1     sdist  75e98c5f16b0f35b567856f597f06ff2270a374470a5c2392242528e3e3e42fc
EOF
)
# sha256 of DIR/corpus/MANIFEST.sha256 for the pins above (1767 files, 6 projects)
MANIFEST_DIGEST=f5c6077bf463d28a73f8ac33d8ffae799a983517a493df5f230dab399cc3f775

mkdir -p "$EVAL/dl" "$EVAL/full" "$EVAL/corpus"
EVAL=$(cd "$EVAL" && pwd)
rm -rf "${EVAL:?}/full"/* "${EVAL:?}/corpus"/*

while read -r name ver kind sha; do
    [ -n "$name" ] || continue
    dl="$EVAL/dl/$name-$ver"
    f=""
    if [ -d "$dl" ] && [ "$(ls "$dl" | wc -l)" -eq 1 ]; then
        f=$(ls -d "$dl"/*)
        if echo "$sha  $f" | sha256sum -c --status -; then
            echo "corpus: re-using $f"
        else
            f=""
        fi
    fi
    if [ -z "$f" ]; then
        rm -rf "$dl"; mkdir -p "$dl"
        if [ "$kind" = wheel ]; then
            # Platform pinned so the same file is fetched on any host (test sources
            # are identical across the platform wheels of one release anyway).
            "${PIP[@]}" --only-binary :all: --python-version 3.11 --implementation cp \
                --platform manylinux_2_28_x86_64 -d "$dl" "$name==$ver"
        else
            "${PIP[@]}" --no-binary :all: -d "$dl" "$name==$ver"
        fi
        f=$(ls -d "$dl"/*)
        echo "$sha  $f" | sha256sum -c -
    fi
    dest="$EVAL/full/$name-$ver"
    mkdir -p "$dest"
    if [ "$kind" = wheel ]; then
        "$PY" -m zipfile -e "$f" "$dest"
    else
        tar -xzf "$f" -C "$dest" --strip-components=1
    fi
    # keep only the files the linter (and pytest's default python_files) looks at
    mkdir -p "$EVAL/corpus/$name-$ver"
    (cd "$dest" && find . -type f \( -name 'test_*.py' -o -name '*_test.py' -o -name conftest.py \) \
        -not -path '*.dist-info/*' -print0 | xargs -0 -r cp --parents -t "$EVAL/corpus/$name-$ver/")
done <<< "$PINS"

cd "$EVAL/corpus"
find . -mindepth 2 -type f -name '*.py' | sed 's|^\./||' | LC_ALL=C sort > FILES.txt
xargs -d '\n' sha256sum < FILES.txt > MANIFEST.sha256
digest=$(sha256sum MANIFEST.sha256 | cut -d' ' -f1)
echo "corpus: $(wc -l < FILES.txt) files in $(ls -d */ | wc -l) projects under $EVAL/corpus"
echo "manifest digest: $digest"
if [ "$digest" != "$MANIFEST_DIGEST" ]; then
    echo "corpus: ERROR: manifest digest differs from the pinned $MANIFEST_DIGEST" >&2
    exit 1
fi
echo "corpus: matches the pinned manifest digest"
