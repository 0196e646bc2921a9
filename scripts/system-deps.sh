#!/bin/sh
# Installs the Debian packages salon needs when they are missing: pango (WeasyPrint's PDF
# rendering), chromium (the browser tests) and npm (it installs axe-core, pinned in
# package-lock.json, for their accessibility checks). Runs as root on the project's machines.
set -e
missing=""
dpkg -s libpango-1.0-0 >/dev/null 2>&1 || missing="$missing libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing="$missing fonts-dejavu-core"
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
command -v npm >/dev/null 2>&1 || missing="$missing npm"
if [ -n "$missing" ]; then
  if [ "$(id -u)" != "0" ]; then
    echo "salon: please install these Debian packages:$missing" >&2
    exit 1
  fi
  echo "salon: installing Debian packages:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
