#ifndef PYBAK_CSYSTEM_SHIM_H
#define PYBAK_CSYSTEM_SHIM_H
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <fcntl.h>
#include <unistd.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/syscall.h>

/// Renames without replacing an existing target (Linux renameat2 RENAME_NOREPLACE).
static inline int CSystem_rename_noreplace(const char *from, const char *to) {
#ifdef RENAME_NOREPLACE
    return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE);
#else
    errno = EINVAL;
    return -1;
#endif
}

/// Flushes every dirty page and inode of the file system holding `fd`.
static inline int CSystem_syncfs(int fd) {
    return syncfs(fd);
}

/// Sets the nice value of the calling thread only (Linux schedules threads as tasks of their own).
static inline int CSystem_set_thread_nice(int value) {
    // setpriority(PRIO_PROCESS = 0, tid, value) through syscall(2): <sys/resource.h> clashes with Glibc's module map.
    return (int)syscall(SYS_setpriority, 0, (int)syscall(SYS_gettid), value);
}

/// open(2) is variadic in C; this fixes its mode argument.
static inline int CSystem_open(const char *path, int flags, mode_t mode) {
    return open(path, flags, mode);
}

/// The stat fields PyBak reads, filled by lstat(2) or fstat(2).
typedef struct {
    long long device;
    long long inode;
    long long size;
    long long mtime_ns;
    unsigned int mode;
} CSystem_status;

static inline void CSystem_fill(const struct stat *st, CSystem_status *out) {
    out->device = (long long)st->st_dev;
    out->inode = (long long)st->st_ino;
    out->size = (long long)st->st_size;
    out->mtime_ns = (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec;
    out->mode = st->st_mode;
}

static inline int CSystem_lstat(const char *path, CSystem_status *out) {
    struct stat st;
    if (lstat(path, &st) != 0) return -1;
    CSystem_fill(&st, out);
    return 0;
}

static inline int CSystem_fstat(int fd, CSystem_status *out) {
    struct stat st;
    if (fstat(fd, &st) != 0) return -1;
    CSystem_fill(&st, out);
    return 0;
}

static inline int CSystem_is_regular(unsigned int mode) { return S_ISREG(mode); }
static inline int CSystem_is_directory(unsigned int mode) { return S_ISDIR(mode); }
static inline int CSystem_is_symlink(unsigned int mode) { return S_ISLNK(mode); }
static inline int CSystem_is_fifo(unsigned int mode) { return S_ISFIFO(mode); }
static inline int CSystem_is_socket(unsigned int mode) { return S_ISSOCK(mode); }
static inline int CSystem_is_device(unsigned int mode) { return S_ISCHR(mode) || S_ISBLK(mode); }
#endif
