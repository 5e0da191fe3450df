/*
 * Compute kernels for Twill's run-time benchmark (bench/.../KernelBenchmark): each is built
 * twice with clang-14 -O2, once to wasm32 (run by Twill) and once natively (the baseline), by
 * build.sh. Freestanding C: no libc, all memory static, so the wasm module needs no imports.
 * Each kernel returns a checksum so that the benchmark can check both builds agree.
 */
#include <stdint.h>

#ifdef __wasm__
#define EXPORT(name) __attribute__((export_name(#name)))
#else
#define EXPORT(name) __attribute__((visibility("default")))
#endif

/* Recursive calls: call overhead, prologue stack checks. */
EXPORT(fib) int32_t fib(int32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

/* Byte loads and stores, a data-dependent inner loop. */
static uint8_t sieve_flags[1 << 20];
EXPORT(sieve) int32_t sieve(int32_t n) {
    if (n > (int32_t) sizeof sieve_flags) n = sizeof sieve_flags;
    for (int32_t i = 0; i < n; i++) sieve_flags[i] = 1;
    int32_t count = 0;
    for (int32_t i = 2; i < n; i++) {
        if (!sieve_flags[i]) continue;
        count++;
        for (int32_t j = i + i; j < n; j += i) sieve_flags[j] = 0;
    }
    return count;
}

/* f64 multiply-add over arrays: address arithmetic, float pipelines. */
#define MAT 96
static double ma[MAT * MAT], mb[MAT * MAT], mc[MAT * MAT];
EXPORT(matmul) double matmul(int32_t reps) {
    for (int32_t i = 0; i < MAT * MAT; i++) {
        ma[i] = (double) (i % 17) * 0.5;
        mb[i] = (double) (i % 13) - 6.0;
    }
    double sum = 0;
    for (int32_t r = 0; r < reps; r++) {
        for (int32_t i = 0; i < MAT; i++)
            for (int32_t j = 0; j < MAT; j++) {
                double acc = 0;
                for (int32_t k = 0; k < MAT; k++) acc += ma[i * MAT + k] * mb[k * MAT + j];
                mc[i * MAT + j] = acc;
            }
        sum += mc[r % (MAT * MAT)];
    }
    return sum;
}

/* Table-driven CRC-32 (IEEE): i32 shifts, xors, table loads. */
static uint32_t crc_table[256];
static uint8_t crc_data[1 << 16];
EXPORT(crc32) uint32_t crc32(int32_t reps) {
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        crc_table[i] = c;
    }
    for (uint32_t i = 0; i < sizeof crc_data; i++) crc_data[i] = (uint8_t) (i * 2654435761u >> 24);
    uint32_t crc = 0;
    for (int32_t r = 0; r < reps; r++) {
        crc = ~crc;
        for (uint32_t i = 0; i < sizeof crc_data; i++) crc = crc_table[(crc ^ crc_data[i]) & 0xff] ^ (crc >> 8);
        crc = ~crc;
    }
    return crc;
}

/* Float loop with a data-dependent exit: the Mandelbrot set on a grid. */
EXPORT(mandelbrot) int32_t mandelbrot(int32_t size) {
    int32_t inside = 0;
    for (int32_t y = 0; y < size; y++)
        for (int32_t x = 0; x < size; x++) {
            double cr = 2.5 * x / size - 2.0, ci = 2.0 * y / size - 1.0;
            double zr = 0, zi = 0;
            int32_t k = 0;
            while (k < 100 && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2.0 * zr * zi + ci;
                zr = t;
                k++;
            }
            if (k == 100) inside++;
        }
    return inside;
}

/* 64-bit integer mixing: multiplies, rotates, shifts. */
EXPORT(xorshift) int64_t xorshift(int32_t n) {
    uint64_t s = 0x9E3779B97F4A7C15ull, acc = 0;
    for (int32_t i = 0; i < n; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        uint64_t z = s * 0xBF58476D1CE4E5B9ull;
        acc += (z >> 31 | z << 33) ^ (uint64_t) i;
    }
    return (int64_t) acc;
}
