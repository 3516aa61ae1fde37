#!/usr/bin/env bash
# Generates the API reference from include/ (tests/doxygen/Doxyfile) into build/doxygen/html and
# fails when Doxygen warns about anything: an undocumented public symbol, a broken reference or
# a malformed command. Run from anywhere; prints the warnings, then `doxygen: N warnings`.
set -uo pipefail
cd "$(dirname "$0")/../.."
command -v doxygen > /dev/null || { echo "doxygen: not installed (tests/install-deps.sh installs it)"; exit 1; }
version=$(sed -n 's/^project(microprop VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
output=build/doxygen
rm -rf "$output"
mkdir -p "$output"
log="$output/warnings.log"
MICROPROP_VERSION="$version" MICROPROP_DOXYGEN_OUTPUT="$output" doxygen tests/doxygen/Doxyfile > "$output/doxygen.log" 2> "$log"
status=$?
warnings=$(grep -c -E "(warning|error):" "$log" || true)
cat "$log"
echo "doxygen: ${warnings} warnings (API reference in ${output}/html/index.html)"
[ "$status" -eq 0 ] && [ "$warnings" -eq 0 ]
