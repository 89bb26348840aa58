#ifndef CFILEOPS_H
#define CFILEOPS_H

/* Two Linux file operations Swift cannot reach through Glibc (renameat2 needs _GNU_SOURCE,
 * fcntl's lease commands are variadic). Both fail cleanly where unsupported, and the Swift
 * caller then falls back to a plain temporary file and rename. */

/* Atomically swaps the names `a` and `b` (renameat2 RENAME_EXCHANGE). 0 on success, else -1 and
 * errno (EINVAL or ENOSYS where the filesystem or kernel lacks it, ENOENT if `b` is missing). */
int cfo_rename_exchange(const char *a, const char *b);

/* 1 if no other open file description refers to the file behind `fd` (it is open only through
 * `fd`): probed by taking, then dropping, a write lease. 0 otherwise, or where leases are
 * unavailable (then the caller must assume the file may be open elsewhere). */
int cfo_only_opener(int fd);

#endif
