#!/usr/bin/env bash
# Installs what gutskin needs from Debian's packages (only what is missing), then builds it in
# Release into build/. Safe to run again: it installs nothing twice and rebuilds incrementally.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  g++ cmake ninja-build pkg-config
  libyaml-cpp-dev libfmt-dev libcli11-dev nlohmann-json3-dev   # files, CLI, JSON
  libsundials-dev libsuitesparse-dev                           # CVODES, KLU
  libsbml5-dev                                                 # SBML
  libtbb-dev libopenmpi-dev openmpi-bin                        # trials: threads, MPI
  libboost-dev                                                 # distributions, Sobol sequences
  libeigen3-dev                                                # eigenvalues (steady states)
  libssl-dev                                                   # SHA-256 of result files
  libgtest-dev libbenchmark-dev                                # tests, benchmarks
  python3-numpy python3-scipy                                  # benchmark peers (SciPy)
  python3-dev pybind11-dev python3-pandas                      # the Python module
  python3-pytest python3-matplotlib                            # its tests and example
)
packages+=(nodejs chromium)   # HTML reports embed uPlot from npm; headless browser test
command -v npm >/dev/null || packages+=(npm)   # Debian's npm, unless nodejs ships its own
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# web/node_modules: uPlot (compiled into the binary for HTML reports) and playwright-core (the
# browser test). Skipped while it is newer than the lock file, i.e. already installed from it.
if [ ! web/node_modules/.package-lock.json -nt web/package-lock.json ]; then
  npm ci --prefix web --no-audit --no-fund
fi

# Two compile jobs: the 2-core machines this must fit, and ~1.5 GB RAM per job at most.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
# The gutskin binary first, so the main job can run even before the tests and benchmarks build.
cmake --build build -j 2 --target gutskin_cli
cmake --build build -j 2
# The Python module for Debian's /usr/bin/python3, into its user site-packages (no root needed).
cmake --install build --component python >/dev/null
