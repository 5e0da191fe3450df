// Sleeping (poll_oneoff with a clock subscription), the clocks, and randomness.
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    usleep(20000);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    printf("slept>=20ms:%d\n", ns >= 20000000LL);
    printf("realtime after 2020:%d\n", time(NULL) > 1577836800);
    unsigned char r[64];
    if (getentropy(r, sizeof r) != 0) return 1;
    int nonzero = 0;
    for (int i = 0; i < 64; i++) nonzero += r[i] != 0;
    printf("entropy:%d\n", nonzero > 32);
    return 0;
}
