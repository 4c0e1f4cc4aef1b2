# Sourced by .ci/run and scripts/demo.sh: find Python >= 3.12 and make .venv.
# The machine's default python3 may be older, so look in the usual places.
set -euo pipefail
_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
find_python() {
    local c
    for c in "${ANYZARR_PYTHON:-}" python3.13 python3.12 \
        "$(pyenv root 2>/dev/null)"/versions/3.1[23].*/bin/python3 \
        "$HOME"/.pyenv/versions/3.1[23].*/bin/python3 \
        /root/.pyenv/versions/3.1[23].*/bin/python3 python3; do
        [ -n "$c" ] || continue
        command -v "$c" >/dev/null 2>&1 || [ -x "$c" ] || continue
        if "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then
            echo "$c"; return 0
        fi
    done
    echo "no Python >= 3.12 found; set ANYZARR_PYTHON" >&2
    return 1
}
# ensure_venv EXTRAS: a venv ($ANYZARR_VENV, default .venv) with anyzarr[EXTRAS] installed.
ensure_venv() {
    local extras=$1 venv="$_root/${ANYZARR_VENV:-.venv}"
    local stamp="$venv/.anyzarr-installed-$1"
    if [ ! -x "$venv/bin/python" ]; then
        "$(find_python)" -m venv "$venv"
    fi
    if [ ! -f "$stamp" ] || [ "$_root/pyproject.toml" -nt "$stamp" ]; then
        "$venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
        "$venv/bin/python" -m pip install -q --disable-pip-version-check -e "$_root[$extras]"
        touch "$stamp"
    fi
}
