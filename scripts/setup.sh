#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian 12 package geoev needs (idempotent; apt-get as root), then configures and builds
# build/bin/geoev. Usage: scripts/setup.sh [--no-build]
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ccache
  libgdal-dev gdal-bin              # rasters, vectors, GeoPackage (imagery, events)
  libproj-dev proj-bin proj-data    # CRS transforms, geodesics; geod is a test reference
  libopencv-dev                     # features, homographies, image I/O (frames, match)
  opencv-data                       # Haar face cascades: faces in published thumbnails are blurred
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev ffmpeg   # media; ffmpeg/ffprobe for benchmarks and references
  libexiv2-dev                      # EXIF/XMP of photos
  libssl-dev                        # SHA-256 (OpenSSL EVP)
  nlohmann-json3-dev                # JSON
  libcctz-dev tzdata                # time zones from the system tz database (--tz, local times)
  libboost-program-options-dev      # command line (tools/ only)
  libsqlite3-dev sqlite3            # case store locking and queries
  libcairo2-dev libpango1.0-dev     # maps and reports: PNG, PDF and SVG from one drawing path, text by pango
  fonts-dejavu-core                 # the maps' font (pango finds it through fontconfig)
  chromium                          # test reference: the interactive map opened in a real browser
  poppler-utils                     # test reference: pdfinfo, pdftoppm, pdftotext
  libgtest-dev googletest           # tests
  libimage-exiftool-perl            # exiftool: test reference for metadata
  python3 python3-geographiclib     # test reference for geodesics
  python3-astropy                   # chrono: generates the sun reference table (scripts/gen-sun-reference.py)
  clang libclang-rt-14-dev          # libFuzzer targets of the parsers (scripts/fuzz.sh)
  strace                            # test reference: no network connection is attempted
  libxml2-utils                     # xmllint: test reference for KML/XML well-formedness
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm (Leaflet for the offline interactive map, package.json): Debian's package, unless a node.js that
# brings its own npm is installed already (installing Debian's beside it would conflict).
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Browser assets (Leaflet), pinned in package-lock.json, into node_modules/: inlined into the maps.
if [ ! -f node_modules/leaflet/dist/leaflet.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci (Leaflet)"
  npm ci --no-audit --no-fund --silent
fi

[ "${1:-}" = "--no-build" ] && exit 0

JOBS=${JOBS:-$(nproc)}
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$JOBS"
echo "setup: built build/bin/geoev"
