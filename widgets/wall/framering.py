"""The frame ring in C (framering.c) for libVLC's video callbacks: build, load, declare.

libVLC then calls C for every rendered picture and never enters Python; the GUI thread
takes the new pictures of all playing rings with one ctypes call per frame-clock tick
(RingSet). The library is built with the system C compiler (packaging/setup.sh does it at
set-up; otherwise the first player builds it, ~0.3 s) next to this file, or in the user's
cache folder when the installation is read-only. Without a compiler the wall works the same
with the callbacks in Python, at a higher CPU cost, and says so once in the log.
"""

from __future__ import annotations

import ctypes
import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path

log = logging.getLogger(__name__)

SOURCE = Path(__file__).with_name("framering.c")
LIBRARY = "_framering.so"

_state: dict[str, ctypes.CDLL | None] = {}
_lock = threading.Lock()


def library_paths() -> list[Path]:
    from app import paths

    return [Path(__file__).with_name(LIBRARY), paths.user_cache_dir() / LIBRARY]


def build(target: Path) -> bool:
    """Compile framering.c into `target` (atomically); False, with the reason logged, if not."""
    cc = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not cc:
        log.info("no C compiler found to build %s", target.name)
        return False
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [cc, "-O2", "-shared", "-fPIC", "-o", str(tmp), str(SOURCE), "-lpthread"],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            log.warning("building %s failed: %s", target, done.stderr.strip()[-400:])
            return False
        os.replace(tmp, target)
        return True
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("cannot build %s: %s", target, exc)
        return False
    finally:
        tmp.unlink(missing_ok=True)


def _fresh(path: Path) -> bool:
    return path.exists() and path.stat().st_mtime >= SOURCE.stat().st_mtime


def load() -> ctypes.CDLL | None:
    """The library (built if missing or older than its source), or None; tried once."""
    with _lock:
        if "lib" in _state:
            return _state["lib"]
        lib = None
        for path in library_paths():
            if not _fresh(path) and not build(path):
                continue
            try:
                lib = _declare(ctypes.CDLL(str(path)))
                break
            except (OSError, AttributeError) as exc:
                log.warning("cannot load %s: %s", path, exc)
        if lib is None:
            log.warning(
                "video frame ring in C unavailable (is a C compiler installed?): libVLC's frame "
                "callbacks run in Python, which costs more CPU on a large wall"
            )
        _state["lib"] = lib
        return lib


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    ring, u64p = ctypes.c_void_p, ctypes.POINTER(ctypes.c_uint64)
    lib.framering_new.restype = ring
    lib.framering_new.argtypes = []
    lib.framering_free.argtypes = [ring]
    lib.framering_set_buffers.argtypes = [ring, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t]
    lib.framering_close.argtypes = [ring]
    lib.framering_counts.argtypes = [ring, u64p, u64p]
    lib.framering_take_all.restype = ctypes.c_int
    lib.framering_take_all.argtypes = [
        ctypes.POINTER(ring),
        ctypes.c_int,
        ctypes.POINTER(ring),
        ctypes.POINTER(ctypes.c_uint32),
    ]
    return lib


class RingSet:
    """Rings the GUI thread takes from together, each under a key (its tile): one C call
    per tick for all of them, and Python work only for the rings that had a new picture.
    A ring must be discarded before it is freed (framering_free): take() reads every ring
    in the set."""

    def __init__(self, lib: ctypes.CDLL):
        self._lib = lib
        self._rings: dict = {}  # key -> ring address
        self._arrays: tuple | None = None  # (keys, rings, pictures, fingerprints), made on change

    def __len__(self) -> int:
        return len(self._rings)

    def __contains__(self, key) -> bool:
        return key in self._rings

    def add(self, key, ring: int) -> None:
        if self._rings.get(key) != ring:
            self._rings[key] = ring
            self._arrays = None

    def discard(self, key) -> None:
        if self._rings.pop(key, None) is not None:
            self._arrays = None

    def take(self) -> list[tuple[object, int, int]]:
        """(key, picture buffer address, fingerprint) for each ring with a new picture."""
        if not self._rings:
            return []
        if self._arrays is None:
            n = len(self._rings)
            self._arrays = (
                tuple(self._rings),
                (ctypes.c_void_p * n)(*self._rings.values()),
                (ctypes.c_void_p * n)(),
                (ctypes.c_uint32 * n)(),
            )
        keys, rings, pictures, fps = self._arrays
        if not self._lib.framering_take_all(rings, len(keys), pictures, fps):
            return []
        return [(key, pictures[i], fps[i]) for i, key in enumerate(keys) if pictures[i]]


def function_address(lib: ctypes.CDLL, name: str) -> int:
    """The C function's own address, to hand to libVLC as a callback."""
    return ctypes.cast(getattr(lib, name), ctypes.c_void_p).value
