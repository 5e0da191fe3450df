// Arguments, environment, both output streams and the exit code. argv[0] is the program's
// path, which differs between the native and the wasm run, so it is not printed.
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    printf("argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("argv[%d]=%s\n", i, argv[i]);
    const char *g = getenv("GREETING");
    printf("GREETING=%s\n", g ? g : "(unset)");
    printf("UNSET=%s\n", getenv("TWILL_SURELY_UNSET") ? "set" : "(unset)");
    fprintf(stderr, "to stderr: %d\n", argc * 7);
    return argc + 40;
}
