/* Tries to reach outside the preopened directory "." in every way a path can. Under WASI each
   attempt must fail (the expected errno names are in WasiFilesTest); the test then checks that
   nothing outside changed. The host prepared: inside/abs -> /etc, inside/up -> ../outside.txt,
   and outside.txt next to the preopened directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *name(int e) {
    switch (e) {
    case ENOENT: return "ENOENT";
    case EPERM: return "EPERM";
    case EACCES: return "EACCES";
    case ENOTCAPABLE: return "ENOTCAPABLE";
    default: return "other";
    }
}

static void attempt(const char *what, int result) {
    printf("%s: %s\n", what, result < 0 ? name(errno) : "SUCCEEDED");
}

int main(void) {
    struct stat st;
    attempt("open ../outside.txt", open("../outside.txt", O_RDONLY));
    attempt("open dir/../../outside.txt", open("dir/../../outside.txt", O_RDONLY));
    attempt("open /etc/passwd", open("/etc/passwd", O_RDONLY));
    attempt("open abs/passwd", open("abs/passwd", O_RDONLY));
    attempt("open up", open("up", O_RDONLY));
    attempt("stat ..", stat("..", &st));
    DIR *d = opendir("..");
    printf("opendir ..: %s\n", d ? "SUCCEEDED" : name(errno));
    attempt("create ../created.txt", open("../created.txt", O_WRONLY | O_CREAT, 0644));
    attempt("mkdir ../newdir", mkdir("../newdir", 0755));
    attempt("rename input.txt ../stolen.txt", rename("input.txt", "../stolen.txt"));
    attempt("symlink to /etc/passwd", symlink("/etc/passwd", "evil"));
    attempt("symlink to ../outside.txt", symlink("../outside.txt", "evil2"));
    attempt("open evil2", open("evil2", O_RDONLY));
    attempt("unlink ../outside.txt", unlink("../outside.txt"));
    attempt("link ../outside.txt", link("../outside.txt", "hard"));
    return 0;
}
