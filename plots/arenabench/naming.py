"""What the contestant and process names mean, and who is compared with whom.

Contestants come in two families:

* **general-purpose**: the process's malloc (named after its library:
  ``glibc``, ``jemalloc``, ``mimalloc``, ``tcmalloc``) and, in the Zig
  processes, Zig's general allocators (``zig_testing``, ``zig_gpa``,
  ``zig_c_allocator`` ...);
* **arena family** (everything else): arenas and their reset variants,
  stack-backed / fixed-buffer arenas, pools, and existing arena libraries
  (``obstack``, ``apr``, ``talloc``, ``mi_heap``).

An arena-family contestant is compared with the general-purpose allocator *of
its own process* (an arena in ``bench-jemalloc.json`` runs over jemalloc, so
"arena (over jemalloc)" is compared with jemalloc).  In the Zig processes,
``zig_arena_X`` is compared with ``zig_X`` (or the general Zig allocator whose
name starts with ``zig_X``: ``zig_arena_c`` -> ``zig_c_allocator``).
"""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Iterable

#: The general-purpose mallocs, in display order.
MALLOCS = ("glibc", "jemalloc", "mimalloc", "tcmalloc")

#: Process labels in display order (unknown ones follow, sorted).
PROCESS_ORDER = MALLOCS + ("zig-debug", "zig-releasefast")

#: Names a malloc contestant may carry besides its library's.
_MALLOC_ALIASES = {"malloc", "system", "libc"}

#: Zig's general-purpose allocators as the Zig processes name them.
ZIG_GENERAL = {
    "zig_testing", "zig_gpa", "zig_debug_allocator", "zig_smp", "zig_c_allocator",
    "zig_c", "zig_page", "zig_raw_c",
}

#: Arena-family contestants in display order (unknown ones follow, sorted).
CUSTOM_ORDER = (
    "arena", "arena_direct", "arena_direct_cached", "arena_free_all", "arena_new", "arena_limit",
    "nested_arena", "stack_arena", "fixed_buffer", "pool", "obstack", "apr",
    "talloc", "mi_heap", "bump_floor",
    "zig_arena_testing", "zig_arena_gpa", "zig_arena_c", "zig_arena_c_allocator",
)

#: Marker contestants that are not allocators one would adopt (the physical
#: floor of bump allocation): drawn on charts, never "the best arena".
REFERENCE_CONTESTANTS = {"bump_floor"}

#: What a process label means, for legends and the report.
PROCESS_TITLES = {
    "zig-debug": "Zig, Debug build",
    "zig-releasefast": "Zig, ReleaseFast build",
}


def is_zig(process: str) -> bool:
    """True for the recipe's own Zig processes."""
    return process.startswith("zig")


def is_general(contestant: str, process_malloc: str = "") -> bool:
    """True if ``contestant`` is a general-purpose allocator."""
    if contestant in MALLOCS or contestant in _MALLOC_ALIASES:
        return True
    if process_malloc and contestant == process_malloc:
        return True
    return contestant in ZIG_GENERAL


def order_key(name: str, order: Iterable[str]) -> tuple:
    """Sort key: known names in their given order, the rest alphabetically after."""
    order = list(order)
    return (order.index(name), "") if name in order else (len(order), name)


def process_key(process: str) -> tuple:
    """Sort key for process labels."""
    return order_key(process, PROCESS_ORDER)


def contestant_key(contestant: str) -> tuple:
    """Sort key for contestants: mallocs first, then the arena family."""
    return order_key(contestant, MALLOCS + tuple(sorted(ZIG_GENERAL)) + CUSTOM_ORDER)


def baseline_for(contestant: str, process: str, process_malloc: str, available: Iterable[str]) -> str | None:
    """The general-purpose contestant that ``contestant`` is compared with.

    ``available`` are the contestants present for the same workload, args and
    process.  Returns None when there is none (e.g. the malloc benchmark of
    that process is missing) or ``contestant`` is itself general-purpose.
    """
    available = set(available)
    if is_general(contestant, process_malloc):
        return None
    if contestant.startswith("zig_arena_"):
        suffix = contestant[len("zig_arena_"):]
        exact = "zig_" + suffix
        if exact in available:
            return exact
        prefixed = sorted(a for a in available if a.startswith(exact) and is_general(a))
        return prefixed[0] if prefixed else None
    if contestant.startswith("zig_"):
        return None
    for candidate in (process_malloc, process, *MALLOCS, *sorted(_MALLOC_ALIASES)):
        if candidate and candidate in available and is_general(candidate, process_malloc):
            return candidate
    return None


def contestant_label(contestant: str, process: str) -> str:
    """How a contestant is named on charts: ``arena (over jemalloc)``.

    A general-purpose contestant is its own name; an arena-family contestant
    in a malloc process is "X (over <process>)"; in a Zig process "X (zig-debug)".
    """
    if is_zig(process):
        return f"{contestant} ({process})"
    if contestant in REFERENCE_CONTESTANTS:
        return f"{contestant} (reference floor, {process})"
    if is_general(contestant) or contestant == process:
        return contestant
    return f"{contestant} (over {process})"


def matches(name: str, patterns: Iterable[str] | None) -> bool:
    """Shell-style match of ``name`` against any pattern (None matches all)."""
    if patterns is None:
        return True
    return any(fnmatchcase(name, p) for p in patterns)
