"""Buffers for gathered columns: cache-line aligned, zero padded, and on tall
data mapped on plain pages that are kept for the next fit.
"""

import mmap
import threading
import weakref

import numpy as np

HUGE_PAGE_ARRAY = 1 << 22  # bytes from which numpy asks for huge pages
CACHE_LINE = 64
POOL_BYTES = 1 << 26  # mappings kept between fits, at most


class _MappingPool:
    """Anonymous mappings whose arrays are gone, kept to be handed out again.

    Fresh pages cost a page fault each, or their population: ~0.35 ms per MiB
    in good times, and on this project's (virtual) machines 1.2-3.2 ms per MiB
    for minutes at a time, when a tall fit spent 20-120 ms of 70-280 ms on
    them. Repeated fits of one shape (cross-validation, grid searches, paths)
    ask for the same sizes again, so the last released mappings are kept, at
    most ``limit`` bytes of them; the others are unmapped once their arrays
    are gone.
    """

    def __init__(self, limit):
        self.limit = limit
        self.free = []
        self.lock = threading.RLock()  # a collection inside take may give

    def take(self, nbytes):
        """A mapping of ``nbytes`` to ``2 nbytes`` bytes, kept or new."""
        with self.lock:
            fits = [m for m in self.free if nbytes <= len(m) <= 2 * nbytes]
            if fits:
                m = min(fits, key=len)
                self.free.remove(m)
                return m
        # populated at once: cheaper than a fault per page; page-aligned
        flags = (mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
                 | getattr(mmap, "MAP_POPULATE", 0))
        return mmap.mmap(-1, nbytes, flags=flags)

    def give(self, m):
        """Keep ``m`` (its arrays are gone), dropping the longest-kept
        mappings as needed to stay within the limit."""
        with self.lock:
            if len(m) > self.limit:
                return
            self.free.append(m)
            while sum(map(len, self.free)) > self.limit:
                self.free.pop(0)

    def clear(self):
        with self.lock:
            self.free.clear()


_pool = _MappingPool(POOL_BYTES)


def column_buffer(n, k, dtype, plain_pages=False, zero_padding=True):
    """An ``(n, k)`` array, uninitialised, whose columns are contiguous and each
    start on a cache line: the first ``n`` rows of an F-ordered array whose
    columns are padded with zeros to whole 64-byte lines.

    numpy aligns large arrays to 16 or 32 bytes only. Unless a column starts
    on a line, half of the passes' 64-byte vector loads straddle two lines:
    a pass over 1000 columns of 200 rows took 44 us instead of 33 us.

    With ``plain_pages``, an array of 4 MiB or more lives in a mapping of
    plain pages, taken from and returned to a pool (see ``_MappingPool``).
    numpy asks for transparent huge pages on arrays that large; where the
    kernel then compacts memory on the page fault (the common ``defrag``
    setting ``madvise``), the faults of a gather's fresh buffer could triple
    its cost and did so for minutes at a time on tall data. An anonymous
    mapping not advised for huge pages gets none under ``enabled=madvise``,
    and only free ones, without compaction, under ``enabled=always``. Buffers
    that passes stream many times keep numpy's huge pages: on plain pages a
    pass over 400 columns of 50 000 rows took 14 ms instead of 10.

    With ``zero_padding=False`` the rows past ``n`` are left as they are:
    :func:`clear_padding` then zeroes those of the columns in use.
    """
    dtype = np.dtype(dtype)
    per_line = CACHE_LINE // dtype.itemsize
    ld = -(-n // per_line) * per_line
    nbytes = ld * k * dtype.itemsize
    if plain_pages and nbytes >= HUGE_PAGE_ARRAY and hasattr(mmap, "MAP_ANONYMOUS"):
        m = _pool.take(nbytes)
        raw = np.frombuffer(m, dtype=np.uint8)
        # back to the pool once every view of it is gone
        weakref.finalize(raw, _pool.give, m)
        raw = raw[:nbytes]
    else:
        raw = np.empty(nbytes + CACHE_LINE, dtype=np.uint8)
        start = -raw.ctypes.data % CACHE_LINE
        raw = raw[start:start + nbytes]
    full = raw.view(dtype).reshape((ld, k), order="F")
    if zero_padding:
        full[n:] = 0  # see _cd_fast.cd_dense's zero_padded
    return full[:n]


def clear_padding(columns):
    """Zero the rows past the end of ``columns``, the first columns of a
    :func:`column_buffer`, up to their columns' stride."""
    n, k = columns.shape
    ld = columns.strides[1] // columns.itemsize if k else n
    np.lib.stride_tricks.as_strided(columns, shape=(ld, k))[n:] = 0
