/* WASI only: poll_oneoff on a regular file (always ready; nbytes is what is left to read) and on
   a directory (not pollable), through the raw preview-1 call. Expects input.txt of 29 bytes. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <wasi/api.h>

int main(void) {
    int fd = open("input.txt", O_RDONLY);
    char buf[5];
    read(fd, buf, 5);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    __wasi_subscription_t subs[2] = {0};
    subs[0].userdata = 7;
    subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[0].u.u.fd_read.file_descriptor = fd;
    subs[1].userdata = 8;
    subs[1].u.tag = __WASI_EVENTTYPE_FD_READ;
    subs[1].u.u.fd_read.file_descriptor = dir;
    __wasi_event_t events[2];
    __wasi_size_t n = 0;
    __wasi_errno_t e = __wasi_poll_oneoff(subs, events, 2, &n);
    printf("poll: errno %d, %u events\n", e, (unsigned) n);
    for (unsigned k = 0; k < n; k++) {
        printf("event %llu: error %d, type %d, nbytes %llu\n", (unsigned long long) events[k].userdata, events[k].error,
                events[k].type, (unsigned long long) events[k].fd_readwrite.nbytes);
    }
    return 0;
}
