#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The README's test command: installs what is needed, builds twice (normal, and
# with AddressSanitizer + UBSan) and runs the whole suite against each build.
set -euo pipefail
cd "$(dirname "$0")/.."

tests/setup-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
for type in RelWithDebInfo Asan; do
	dir=build-test-$type
	echo "== $type build"
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="$type" >/dev/null
	cmake --build "$dir" -j "$jobs" >/dev/null
	(cd "$dir" && ctest --output-on-failure -j "$jobs")
done
