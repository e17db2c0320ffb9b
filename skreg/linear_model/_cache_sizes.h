/* The cache sizes the dense pass picks its kernel by (skreg_pairs_fit in
 * _pair_pass.h) and xt_dot its loop by (_columns_fast.pyx), read once per
 * process.
 */
#ifndef SKREG_CACHE_SIZES_H
#define SKREG_CACHE_SIZES_H

#include <stdio.h> /* the L3 size from sysfs */
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h> /* sysconf */
#endif

/* The L3 size sysfs reports for cpu0 (0 where it says nothing). */
static long skreg_l3_bytes(void)
{
    long size = 0;
#if defined(__linux__)
    for (int i = 0; i < 8 && size == 0; i++) {
        char path[64], unit = 0;
        int level = 0;
        FILE *f;
        snprintf(path, sizeof path,
                 "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        if (!(f = fopen(path, "r")))
            break;
        if (fscanf(f, "%d", &level) != 1)
            level = 0;
        fclose(f);
        if (level != 3)
            continue;
        snprintf(path, sizeof path,
                 "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        if (!(f = fopen(path, "r")))
            break;
        if (fscanf(f, "%ld%c", &size, &unit) < 1 || size < 0)
            size = 0;
        fclose(f);
        size <<= unit == 'K' ? 10 : unit == 'M' ? 20 : unit == 'G' ? 30 : 0;
    }
#endif
    return size;
}

/* The size of this core's level 1 data cache (level 1), of its L2 (level 2)
 * or of the L3 it shares (level 3); 32 KB, 1 MB and 32 MB when the system
 * does not say. L1 and L2 come from sysconf, L3 from sysfs: in this VM glibc's
 * sysconf reports 320 MB, sysfs the 32 MB the measurements here fit. */
static long skreg_cache_bytes(int level)
{
    static long known[3] = {-1, -1, -1}; /* a race only repeats the answer */
    int at = level < 1 ? 0 : level > 3 ? 2 : level - 1;
    if (known[at] < 0) {
        long size = 0;
        if (at == 2)
            size = skreg_l3_bytes();
#if defined(_SC_LEVEL1_DCACHE_SIZE) && defined(_SC_LEVEL2_CACHE_SIZE)
        else
            size = sysconf(at == 0 ? _SC_LEVEL1_DCACHE_SIZE
                                   : _SC_LEVEL2_CACHE_SIZE);
#endif
        known[at] = size > 0 ? size : at == 0 ? 32L << 10
                                    : at == 1 ? 1L << 20 : 32L << 20;
    }
    return known[at];
}

#endif
