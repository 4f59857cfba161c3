#!/usr/bin/env bash
# Print the path of a working CPython X.Y interpreter (e.g. `find-python.sh 3.10`), or fail.
# Looks at pythonX.Y on PATH, then pyenv's versions, then uv's managed Pythons, then unpacks
# Debian unstable's pythonX.Y into build/ (tools/debian-python.sh).
set -euo pipefail
want=${1:?usage: find-python.sh X.Y}
ok() { "$1" -c "import sys; assert sys.version_info[:2] == tuple(map(int, '$want'.split('.')))" 2>/dev/null; }
if command -v "python$want" >/dev/null 2>&1 && ok "python$want"; then command -v "python$want"; exit 0; fi
for candidate in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$want".*/bin/python \
                 "$HOME"/.local/share/uv/python/cpython-"$want".*/bin/python; do
  if [ -x "$candidate" ] && ok "$candidate"; then echo "$candidate"; exit 0; fi
done
if candidate=$(bash "$(dirname "$0")/debian-python.sh" "$want") && ok "$candidate"; then
  echo "$candidate"; exit 0
fi
echo "error: no Python $want found (tried python$want, pyenv, uv, Debian unstable)" >&2
exit 1
