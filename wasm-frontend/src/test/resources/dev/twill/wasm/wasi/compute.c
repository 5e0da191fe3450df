// A program of the kind people run: libc's allocator, qsort, string formatting and parsing of
// floats, 64-bit arithmetic, recursion and a hash over the formatted numbers.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next(void) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

static int cmp(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static unsigned ack(unsigned m, unsigned n) {
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

struct node { struct node *next; int value; char name[20]; };

int main(void) {
    enum { N = 20000 };
    int64_t *a = malloc(N * sizeof *a);
    for (int i = 0; i < N; i++) a[i] = (int64_t)next() >> 11;
    qsort(a, N, sizeof *a, cmp);
    int sorted = 1;
    for (int i = 1; i < N; i++) sorted &= a[i - 1] <= a[i];
    printf("sorted=%d min=%lld max=%lld median=%lld\n", sorted, (long long)a[0], (long long)a[N - 1], (long long)a[N / 2]);

    uint64_t hash = 1469598103934665603ull;
    char buf[64];
    double sum = 0;
    for (int i = 1; i <= 2000; i++) {
        // only correctly rounded operations: glibc's and wasi-libc's sin or exp may differ in
        // the last place, which would make the native run a wrong oracle
        double x = sqrt(i * 0.001) * (i % 17 + 0.5) / (1.0 + i) - (i & 1 ? 1e-300 * i : 1e300 / i);
        snprintf(buf, sizeof buf, "%.17g|%e|%f", x, x * 1e10, x);
        sum += strtod(buf, NULL);
        for (char *p = buf; *p; p++) hash = (hash ^ (unsigned char)*p) * 1099511628211ull;
    }
    printf("hash=%016llx sum=%.12f\n", (unsigned long long)hash, sum);

    struct node *list = NULL;
    for (int i = 0; i < 5000; i++) {
        struct node *n = malloc(sizeof *n);
        n->value = (int)(next() % 1000);
        snprintf(n->name, sizeof n->name, "node-%d", i);
        n->next = list;
        list = n;
    }
    long total = 0, named = 0;
    while (list) {
        struct node *n = list;
        total += n->value;
        named += strlen(n->name);
        list = n->next;
        free(n);
    }
    printf("total=%ld named=%ld ack(2,3)=%u ack(3,5)=%u\n", total, named, ack(2, 3), ack(3, 5));

    int64_t q = INT64_MIN / 3, r = INT64_MIN % 7;
    uint64_t u = UINT64_MAX / 10;
    printf("q=%lld r=%lld u=%llu clz=%d\n", (long long)q, (long long)r, (unsigned long long)u, __builtin_clzll(u));
    free(a);
    return 0;
}
