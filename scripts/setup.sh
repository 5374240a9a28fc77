#!/usr/bin/env bash
# Installs what dangan needs, once: Debian packages and a virtual environment at .venv.
# Usage: scripts/setup.sh [--dev]   (idempotent; fast when nothing changed)
set -euo pipefail
cd "$(dirname "$0")/.."

DEV=0
[[ "${1:-}" == "--dev" ]] && DEV=1

APT_PACKAGES=(tesseract-ocr tesseract-ocr-chi-sim tesseract-ocr-eng tesseract-ocr-osd
              fonts-noto-cjk fonts-wqy-zenhei fonts-dejavu-core)

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}" >&2
  SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
if [[ ! -x .venv/bin/python ]]; then
  echo "setup: creating .venv" >&2
  "$PYTHON" -m venv .venv
fi

extras=""; ((DEV)) && extras="[dev]"
stamp=".venv/.dangan-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)$extras"
if [[ ! -f "$stamp" ]] || ! grep -qxF "$want" "$stamp"; then
  echo "setup: installing Python packages${extras}" >&2
  if ! { .venv/bin/python -m pip install -q --upgrade pip &&
         .venv/bin/python -m pip install -q -e ".${extras}"; } > .venv/pip.log 2>&1; then
    cat .venv/pip.log >&2; echo "setup: installing Python packages failed" >&2; exit 1
  fi
  echo "$want" > "$stamp"
  # A dev install satisfies the plain one too.
  if ((DEV)); then echo "${want%"$extras"}" >> "$stamp"; fi
fi
