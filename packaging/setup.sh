#!/usr/bin/env bash
# Set up IOC Console on Debian 12 and run it, or run its test suite.
#
#   bash packaging/setup.sh run  [console args]   install what is missing, start the console
#   bash packaging/setup.sh test [pytest args]    install what is missing, run all tests headless
#
# Both modes: install missing Debian packages (packaging/apt-packages.txt) with apt, create
# .venv at the project root with the system python3, install packaging/requirements.lock into
# it. Re-running is quick: apt is skipped when dpkg already has everything, pip is skipped when
# the lock file is unchanged since the last successful install (hash stamp inside .venv).
# Needs root or sudo only when a Debian package is missing. With CI=true nothing reads stdin.
# Set IOC_SKIP_APT=1 to skip the Debian step (e.g. another distribution, packages pre-installed).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

APT_LIST="packaging/apt-packages.txt"
LOCK="packaging/requirements.lock"
VENV="$ROOT/.venv"
STAMP="$VENV/.requirements.lock.sha256"
XVFB_SCREEN="-screen 0 1920x1080x24"

log() { printf '[setup] %s\n' "$*" >&2; }
die() { printf '[setup] ERROR: %s\n' "$*" >&2; exit 1; }

usage() {
    cat >&2 <<'USAGE'
usage: bash packaging/setup.sh run  [console args]   set up, then start the console
       bash packaging/setup.sh test [pytest args]    set up, then run the test suite headless
USAGE
    exit 2
}

non_interactive() { [[ "${CI:-}" == "true" || "${CI:-}" == "1" || ! -t 0 ]]; }

install_debian_packages() {
    if [[ "${IOC_SKIP_APT:-}" == "1" ]]; then
        log "IOC_SKIP_APT=1: skipping the Debian package check"
        return
    fi
    if ! command -v dpkg-query >/dev/null 2>&1; then
        log "WARNING: dpkg-query not found; this script targets Debian 12. Install the equivalents of $APT_LIST yourself."
        return
    fi
    local wanted=() missing=() pkg
    # Strip comments and blanks: one package name per line.
    while read -r pkg; do
        [[ -n "$pkg" ]] && wanted+=("$pkg")
    done < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$APT_LIST")
    for pkg in "${wanted[@]}"; do
        if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]]; then
            missing+=("$pkg")
        fi
    done
    if (( ${#missing[@]} == 0 )); then
        log "Debian packages: all ${#wanted[@]} present"
        return
    fi
    log "Debian packages missing: ${missing[*]}"
    local sudo=()
    if [[ "$(id -u)" != "0" ]]; then
        command -v sudo >/dev/null 2>&1 || die "not root and sudo is not installed: run as root, or install: ${missing[*]}"
        if non_interactive; then
            sudo=(sudo -n)   # never wait for a password nobody can type
        else
            sudo=(sudo)
            log "sudo is needed to install them (you may be asked for your password)"
        fi
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
        || die "apt-get update failed (no access to the Debian mirror, or sudo refused)"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
        || die "apt-get install failed for: ${missing[*]}"
}

system_python() {
    # The distribution's interpreter, not whatever a version manager puts first on PATH.
    if [[ -x /usr/bin/python3 ]]; then echo /usr/bin/python3; else command -v python3 || die "python3 not found"; fi
}

ensure_venv() {
    if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        return
    fi
    if [[ -e "$VENV" ]]; then
        # A venv whose interpreter vanished (copied from another machine, python removed) is dead.
        log ".venv exists but its python does not run: recreating it"
        rm -rf "$VENV"
    fi
    local py
    py="$(system_python)"
    "$py" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
        || die "$py is $("$py" --version 2>&1); IOC Console needs Python 3.11 (Debian 12's python3)"
    log "creating .venv with $py ($("$py" --version 2>&1))"
    "$py" -m venv "$VENV" || die "could not create .venv (is python3-venv installed?)"
}

install_python_packages() {
    local want have=""
    want="$(sha256sum "$LOCK" | cut -d' ' -f1)"
    [[ -f "$STAMP" ]] && have="$(cat "$STAMP")"
    if [[ "$want" == "$have" ]]; then
        log "Python packages: up to date with $LOCK"
        return
    fi
    log "installing Python packages from $LOCK into .venv (the first time downloads ~300 MB)"
    PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$VENV/bin/python" -m pip install -q -r "$LOCK" \
        || die "pip install -r $LOCK failed (is PyPI reachable?)"
    echo "$want" > "$STAMP"
}

build_native() {
    # The video wall's frame ring in C; the console builds it itself if this did not.
    "$VENV/bin/python" -c 'import sys
from widgets.wall import framering
lib = framering.load()
sys.exit(0 if lib is not None else 1)' \
        && log "video frame ring (widgets/wall/framering.c): built" \
        || log "WARNING: could not build widgets/wall/framering.c; the video wall uses Python frame callbacks (more CPU)"
}

root_webengine_sandbox() {
    # Chromium refuses its sandbox as root; QtWebEngine must be told before it starts.
    if [[ "$(id -u)" == "0" ]]; then export QTWEBENGINE_DISABLE_SANDBOX=1; fi
}

cmd_run() {
    [[ -f main.py ]] || die "main.py not found in $ROOT"
    root_webengine_sandbox
    if [[ -z "${DISPLAY:-}" && -z "${WAYLAND_DISPLAY:-}" && "${QT_QPA_PLATFORM:-}" != "offscreen" ]]; then
        log "No DISPLAY or WAYLAND_DISPLAY: this shell has no desktop to show the window on."
        log "Starting the console inside a virtual X server (xvfb-run) so it still runs, e.g. with"
        log "'--screenshot FILE'. To see the window, run this from a desktop session (or ssh -X)."
        exec xvfb-run -a -s "$XVFB_SCREEN" "$VENV/bin/python" main.py "$@"
    fi
    exec "$VENV/bin/python" main.py "$@"
}

run_checks() {
    # The house rules CI enforces before any test runs: lint and format (ruff), types of the
    # core (mypy), and the import layers of the core (import-linter), all configured in
    # pyproject.toml. IOC_SKIP_CHECKS=1 skips them (e.g. while iterating on one test).
    if [[ "${IOC_SKIP_CHECKS:-}" == "1" ]]; then
        log "IOC_SKIP_CHECKS=1: skipping the static checks"
        return
    fi
    log "checks: ruff check, ruff format --check, mypy (app/), lint-imports"
    "$VENV/bin/ruff" check --quiet . || die "ruff check found problems (ruff check --fix fixes most)"
    "$VENV/bin/ruff" format --check --quiet . || die "ruff format: files above are not formatted (run: .venv/bin/ruff format .)"
    "$VENV/bin/mypy" --no-error-summary >/dev/null || { "$VENV/bin/mypy" || true; die "mypy found type errors in app/"; }
    "$VENV/bin/lint-imports" --no-cache >/dev/null || { "$VENV/bin/lint-imports" --no-cache || true; die "lint-imports: an import breaks the layers in pyproject.toml"; }
}

cmd_test() {
    export QT_QPA_PLATFORM=offscreen
    root_webengine_sandbox
    run_checks
    # Even on a desktop, tests get their own X server: some need a real X display, and none
    # should open windows on the operator's screen.
    local rc=0
    xvfb-run -a -s "$XVFB_SCREEN" "$VENV/bin/python" -m pytest "$@" || rc=$?
    if (( rc == 5 )); then
        log "FAILED: pytest collected no tests (exit code 5). Check the arguments and tests/; an empty run is not a pass."
    elif (( rc != 0 )); then
        log "tests failed (pytest exit code $rc)"
    fi
    return "$rc"
}

main() {
    (( $# >= 1 )) || usage
    local mode="$1"; shift
    case "$mode" in
        run|test) ;;
        -h|--help|help) usage ;;
        *) log "unknown mode '$mode'"; usage ;;
    esac
    install_debian_packages
    ensure_venv
    install_python_packages
    build_native
    "cmd_$mode" "$@"
}

main "$@"
