#!/usr/bin/env bash
# Build and install the Citus extension for Debian's PostgreSQL 15 from the vendored source tarball (see
# PROVENANCE.md). Idempotent: does nothing when citus.so is already installed. Needs root (or sudo) for apt and
# `make install`. About 3 minutes on 2 cores.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
TARBALL="$HERE/citus-13.2.2.tar.gz"
PATCH="$HERE/pg15.20-have_createdb_privilege.patch"
SHA256=dd2453caec20a830e5e63f1def5c5a98cb6f57ae510407cdcd800916fcdab430

if [ -e /usr/lib/postgresql/15/lib/citus.so ]; then
  echo "citus: already installed (/usr/lib/postgresql/15/lib/citus.so), nothing to do"
  exit 0
fi

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
DEPS=(postgresql-server-dev-15 libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev
  libxslt1-dev libpam0g-dev libreadline-dev libssl-dev make gcc patch)
missing=()
for p in "${DEPS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "citus: installing build dependencies: ${missing[*]}"
  $SUDO apt-get update -q || true
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

echo "$SHA256  $TARBALL" | sha256sum -c --quiet -

WORK=$(mktemp -d /tmp/wk-citus-build.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
tar -xzf "$TARBALL" -C "$WORK"
SRC="$WORK/citus-13.2.2"
cd "$SRC"

# PostgreSQL 15.20+ declares have_createdb_privilege() itself; Citus 13.2.2's static copy then collides. Patch
# only when the installed server headers declare it and the patch applies cleanly.
DBCMD="$("$PG_CONFIG" --includedir-server)/commands/dbcommands.h"
if grep -q have_createdb_privilege "$DBCMD" 2>/dev/null; then
  if patch -p1 --dry-run -s < "$PATCH" >/dev/null; then
    echo "citus: server headers declare have_createdb_privilege, applying $(basename "$PATCH")"
    patch -p1 -s < "$PATCH"
  else
    echo "citus: $(basename "$PATCH") does not apply, building unpatched"
  fi
fi

./configure PG_CONFIG="$PG_CONFIG" >"$WORK/configure.log" 2>&1 || { tail -50 "$WORK/configure.log"; exit 1; }
# with_llvm=no: no LLVM bitcode for PostgreSQL's JIT inlining (clang over every file again: it doubled the build;
# the extension runs the same without it).
make -j"${CITUS_BUILD_JOBS:-2}" with_llvm=no >"$WORK/make.log" 2>&1 || { tail -80 "$WORK/make.log"; exit 1; }
$SUDO make install with_llvm=no >"$WORK/install.log" 2>&1 || { tail -50 "$WORK/install.log"; exit 1; }
echo "citus: installed $(ls /usr/lib/postgresql/15/lib/citus.so)"
