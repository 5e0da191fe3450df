/* Files and directories through stdio and POSIX calls, relative to the working directory (the
   preopened "." under WASI). Prints what it sees; errors as errno names, which wasi-libc and
   glibc share (their numbers and messages differ). Expects input.txt and dir/ to exist. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *name(int e) {
    switch (e) {
    case 0: return "ok";
    case ENOENT: return "ENOENT";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case ENOTEMPTY: return "ENOTEMPTY";
    case EBADF: return "EBADF";
    case EINVAL: return "EINVAL";
    case ELOOP: return "ELOOP";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    default: return "other";
    }
}

#define TRY(what, call) do { errno = 0; int r_ = (call); printf("%s: %s\n", what, r_ < 0 ? name(errno) : "ok"); } while (0)

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *path) {
    DIR *d = opendir(path);
    if (!d) {
        printf("opendir %s: %s\n", path, name(errno));
        return;
    }
    char *names[64];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char *s = malloc(strlen(e->d_name) + 3);
        sprintf(s, "%s%s", e->d_name, e->d_type == DT_DIR ? "/" : e->d_type == DT_LNK ? "@" : e->d_type == DT_REG ? "" : "?");
        names[n++] = s;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp);
    printf("%s:", path);
    for (int k = 0; k < n; k++) {
        printf(" %s", names[k]);
        free(names[k]);
    }
    printf("\n");
}

static void cat(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("cat %s: %s\n", path, name(errno));
        return;
    }
    char buf[256];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    printf("cat %s: [%s]\n", path, buf);
}

static void size(const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) printf("stat %s: %s\n", path, name(errno));
    else printf("stat %s: %lld bytes, %s\n", path, (long long) st.st_size, S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : "other");
}

int main(void) {
    /* reading a file the host made, line by line */
    FILE *in = fopen("input.txt", "r");
    if (!in) {
        printf("input.txt: %s\n", name(errno));
        return 1;
    }
    char line[128];
    unsigned sum = 0;
    int lines = 0;
    while (fgets(line, sizeof line, in)) {
        lines++;
        for (char *p = line; *p; p++) sum = sum * 31 + (unsigned char) *p;
    }
    fclose(in);
    printf("input.txt: %d lines, hash %u\n", lines, sum);

    /* writing, appending, reading back, seeking */
    FILE *out = fopen("out.txt", "w");
    fprintf(out, "hello, %s %d\n", "files", 42);
    fclose(out);
    out = fopen("out.txt", "a");
    fputs("appended\n", out);
    fclose(out);
    cat("out.txt");
    FILE *f = fopen("out.txt", "r+");
    fseek(f, 7, SEEK_SET);
    char word[6] = {0};
    fread(word, 1, 5, f);
    printf("at 7: %s, tell %ld\n", word, ftell(f));
    fseek(f, 0, SEEK_END);
    printf("end: %ld\n", ftell(f));
    fseek(f, 0, SEEK_SET);
    fputs("HELLO", f);
    fclose(f);
    cat("out.txt");
    size("out.txt");

    /* pread, pwrite, ftruncate with a descriptor */
    int fd = open("data.bin", O_RDWR | O_CREAT | O_TRUNC, 0644);
    printf("pwrite: %zd\n", pwrite(fd, "abcdefgh", 8, 4));
    char buf[16] = {0};
    printf("pread: %zd [%s]\n", pread(fd, buf + 1, 4, 6), buf + 1);
    printf("pread at end: %zd\n", pread(fd, buf, 4, 100));
    TRY("ftruncate 20", ftruncate(fd, 20));
    size("data.bin");
    TRY("ftruncate 3", ftruncate(fd, 3));
    size("data.bin");
    struct stat st;
    fstat(fd, &st);
    printf("fstat: %lld bytes\n", (long long) st.st_size);
    close(fd);
    TRY("close again", close(fd));
    TRY("O_EXCL on existing", open("data.bin", O_RDWR | O_CREAT | O_EXCL, 0644));
    TRY("open missing", open("missing.txt", O_RDONLY));
    TRY("O_DIRECTORY on file", open("data.bin", O_RDONLY | O_DIRECTORY));
    TRY("write-open a directory", open("dir", O_WRONLY));

    /* directories */
    TRY("mkdir made", mkdir("made", 0755));
    TRY("mkdir made again", mkdir("made", 0755));
    TRY("mkdir below a file", mkdir("data.bin/x", 0755));
    TRY("rename out.txt", rename("out.txt", "made/moved.txt"));
    cat("out.txt");
    cat("made/moved.txt");
    cat("made/../made/./moved.txt");
    TRY("rmdir non-empty", rmdir("made"));
    TRY("unlink a directory", unlink("made"));
    TRY("rmdir a file", rmdir("data.bin"));
    TRY("symlink", symlink("moved.txt", "made/link"));
    TRY("symlink named with a slash", symlink("moved.txt", "made/slash/"));
    TRY("link named with a slash", link("data.bin", "made/slash/"));
    char target[64] = {0};
    printf("readlink: %zd [%s]\n", readlink("made/link", target, sizeof target - 1), target);
    cat("made/link");
    struct stat lst;
    lstat("made/link", &lst);
    printf("lstat link: %s\n", S_ISLNK(lst.st_mode) ? "link" : "not a link");
    TRY("link", link("data.bin", "made/hard.bin"));
    FILE *u = fopen("made/na\xc3\xafve \xe2\x82\xac.txt", "w"); /* "naïve €.txt": UTF-8 names */
    fputs("utf-8\n", u);
    fclose(u);
    size("made/hard.bin");
    list(".");
    list("made");
    list("dir");
    TRY("unlink link", unlink("made/link"));
    TRY("unlink moved", unlink("made/moved.txt"));
    TRY("unlink hard", unlink("made/hard.bin"));
    TRY("unlink naive", unlink("made/na\xc3\xafve \xe2\x82\xac.txt"));
    TRY("rmdir made", rmdir("made"));
    TRY("rmdir missing", rmdir("made"));
    TRY("unlink data", unlink("data.bin"));
    list(".");

    /* a directory larger than one readdir buffer: the listing continues from cookies */
    mkdir("many", 0755);
    for (int k = 0; k < 300; k++) {
        char name[64];
        snprintf(name, sizeof name, "many/entry-with-a-longish-name-%03d", k);
        close(open(name, O_WRONLY | O_CREAT, 0644));
    }
    DIR *md = opendir("many");
    int entries = 0;
    long namebytes = 0, checksum = 0;
    for (struct dirent *e; (e = readdir(md)) != NULL;) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        entries++;
        namebytes += strlen(e->d_name);
        checksum += atoi(e->d_name + 26) + 1;
    }
    closedir(md);
    printf("many: %d entries, %ld name bytes, checksum %ld\n", entries, namebytes, checksum);
    for (int k = 0; k < 300; k++) {
        char name[64];
        snprintf(name, sizeof name, "many/entry-with-a-longish-name-%03d", k);
        unlink(name);
    }
    TRY("rmdir many", rmdir("many"));

    /* open hands out the lowest free descriptor, standard streams' included: closing stdin and
       opening a file redirects stdin to it (the POSIX idiom programs use to redirect streams) */
    close(0);
    int reopened = open("input.txt", O_RDONLY);
    char first[6] = {0};
    int got = (int) read(0, first, 5);
    printf("reopened stdin: fd %d, read %d: %s\n", reopened, got, first);
    return 0;
}
