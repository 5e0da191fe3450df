package dev.twill.isa.x64.asm;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The oracle: LLVM's {@code llvm-mc}, run once per batch. {@link #assemble} turns Intel-syntax lines
 * into llvm's canonical text and encoding; {@link #disassemble} decodes a byte stream into
 * instructions; {@link #objdump} decodes with exact offsets and resolved targets. A missing llvm-mc fails the test with a message saying so;
 * it never skips.
 */
final class LlvmMc {
    private LlvmMc() {}

    /** One instruction as llvm-mc prints it: canonical Intel text (single spaces) and its bytes. */
    record Insn(String text, byte[] bytes) {}

    private static final String[] CANDIDATES = {"llvm-mc", "llvm-mc-14", "llvm-mc-15", "llvm-mc-16",
        "llvm-mc-17", "llvm-mc-18", "llvm-mc-19", "llvm-mc-13"};

    private static String executable;

    static synchronized String executable() {
        if (executable != null) {
            return executable;
        }
        String path = System.getenv("PATH");
        for (String name : CANDIDATES) {
            for (String dir : (path == null ? "/usr/bin" : path + ":/usr/bin").split(File.pathSeparator)) {
                File f = new File(dir, name);
                if (f.canExecute()) {
                    return executable = f.getPath();
                }
            }
        }
        return fail("llvm-mc was not found on PATH (tried " + String.join(", ", CANDIDATES)
                + "): the x86-64 encoder tests check every encoding against LLVM's assembler; install LLVM "
                + "(e.g. apt-get install llvm-14) and put llvm-mc on PATH");
    }

    /** Assembles Intel-syntax lines, one instruction each; any llvm-mc error fails the test. */
    static List<Insn> assemble(List<String> lines) {
        StringBuilder in = new StringBuilder();
        for (String l : lines) {
            in.append(l).append('\n');
        }
        List<Insn> out = run(in.toString(), false);
        if (out.size() != lines.size()) {
            fail("llvm-mc printed " + out.size() + " encodings for " + lines.size() + " lines");
        }
        return out;
    }

    /**
     * Decodes {@code code} as a stream of instructions with {@code llvm-mc --disassemble}. The
     * bytes it reports are a re-encoding of the decoded instruction (branch displacements as
     * zero fixups, redundant prefixes and zero displacements dropped); use {@link #objdump} for
     * exact boundaries.
     */
    static List<Insn> disassemble(byte[] code, int length) {
        StringBuilder in = new StringBuilder(length * 5);
        for (int i = 0; i < length; i++) {
            in.append("0x").append(Character.forDigit((code[i] >> 4) & 15, 16))
                    .append(Character.forDigit(code[i] & 15, 16)).append(i % 16 == 15 ? '\n' : ' ');
        }
        in.append('\n');
        return run(in.toString(), true);
    }

    /** A decoded instruction at its exact offset: text, and for branches / RIP-relative operands the absolute target (else -1). */
    record Decoded(int offset, int length, String text, long target) {}

    /**
     * Decodes {@code code} with exact instruction boundaries: llvm-mc wraps the bytes in an ELF
     * object and llvm-objdump (the same LLVM disassembler) prints each instruction's offset, and
     * resolves branch and RIP-relative targets to absolute offsets. (llvm-mc --disassemble prints
     * re-encoded bytes, whose lengths can differ from the input: 66 90 shows as 90.)
     */
    static List<Decoded> objdump(byte[] code, int length) {
        if (length == 0) {
            return List.of();
        }
        StringBuilder src = new StringBuilder(length * 5);
        for (int i = 0; i < length; i++) {
            src.append(i % 32 == 0 ? (i == 0 ? ".byte " : "\n.byte ") : ",").append(code[i] & 0xFF);
        }
        src.append('\n');
        try {
            Path s = Files.createTempFile("twill-x64", ".s");
            Path o = Files.createTempFile("twill-x64", ".o");
            try {
                Files.writeString(s, src);
                exec(List.of(executable(), "-triple=x86_64", "-filetype=obj", "-o", o.toString(), s.toString()));
                String dump = exec(List.of(objdumpExecutable(), "-d", "-M", "intel", "--no-show-raw-insn", o.toString()));
                List<Decoded> out = new ArrayList<>();
                for (String line : dump.split("\n")) {
                    int colon = line.indexOf(':');
                    if (colon < 0 || !line.startsWith(" ")) {
                        continue;
                    }
                    int off = Integer.parseInt(line.substring(0, colon).trim(), 16);
                    String rest = line.substring(colon + 1);
                    long target = -1;
                    int hash = rest.indexOf('#');
                    if (hash >= 0) {
                        target = firstHex(rest.substring(hash));
                        rest = rest.substring(0, hash);
                    }
                    rest = rest.trim().replaceAll("\\s+", " ");
                    int lt = rest.indexOf(" <");
                    if (lt >= 0) { // a branch: "jmp 0x1f <.text+0x1f>"
                        target = firstHex(rest);
                        rest = rest.substring(0, lt);
                    }
                    // a LOCK prefix may be listed as an instruction of its own: it belongs to the next one
                    if (!out.isEmpty() && out.get(out.size() - 1).text().equals("lock")) {
                        off = out.remove(out.size() - 1).offset();
                        rest = "lock " + rest;
                    }
                    out.add(new Decoded(off, 0, rest, target));
                }
                List<Decoded> sized = new ArrayList<>(out.size());
                for (int i = 0; i < out.size(); i++) {
                    Decoded d = out.get(i);
                    int end = i + 1 < out.size() ? out.get(i + 1).offset : length;
                    sized.add(new Decoded(d.offset, end - d.offset, d.text, d.target));
                }
                return sized;
            } finally {
                Files.deleteIfExists(s);
                Files.deleteIfExists(o);
            }
        } catch (IOException e) {
            return fail("running llvm-objdump: " + e);
        }
    }

    private static long firstHex(String s) {
        int i = s.indexOf("0x");
        if (i < 0) {
            return -1;
        }
        int j = i + 2;
        while (j < s.length() && Character.digit(s.charAt(j), 16) >= 0) {
            j++;
        }
        return Long.parseUnsignedLong(s.substring(i + 2, j), 16);
    }

    private static String objdumpExecutable() {
        String mc = executable();
        String od = mc.replace("llvm-mc", "llvm-objdump");
        if (new File(od).canExecute()) {
            return od;
        }
        return fail("llvm-objdump not found next to " + mc + " (" + od + "); it comes with LLVM");
    }

    private static String exec(List<String> cmd) throws IOException {
        Path err = Files.createTempFile("twill-x64", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroy();
                fail(cmd.get(0) + " timed out");
            }
            String stderr = Files.readString(err);
            if (p.exitValue() != 0 || !stderr.isBlank()) {
                fail(String.join(" ", cmd) + " failed (exit " + p.exitValue() + "):\n" + stderr);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        } finally {
            Files.deleteIfExists(err);
        }
    }

    private static List<Insn> run(String input, boolean disassemble) {
        String exe = executable();
        try {
            Path src = Files.createTempFile("twill-x64", disassemble ? ".hex" : ".s");
            Path err = Files.createTempFile("twill-x64", ".err");
            try {
                Files.writeString(src, input);
                List<String> cmd = new ArrayList<>(List.of(exe, "-triple=x86_64", "-show-encoding",
                        "-output-asm-variant=1"));
                if (disassemble) {
                    cmd.add("--disassemble");
                } else {
                    cmd.add("-x86-asm-syntax=intel");
                }
                cmd.add(src.toString());
                Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
                p.getOutputStream().close();
                String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroy();
                    fail("llvm-mc timed out");
                }
                String stderr = Files.readString(err);
                if (p.exitValue() != 0 || stderr.contains("error") || stderr.contains("warning")) {
                    String shown = stderr.length() > 4000 ? stderr.substring(0, 4000) + "..." : stderr;
                    fail("llvm-mc " + (disassemble ? "--disassemble " : "") + "failed (exit " + p.exitValue()
                            + "):\n" + shown);
                }
                return parse(stdout, disassemble);
            } finally {
                Files.deleteIfExists(src);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            return fail("running llvm-mc: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail("interrupted");
        }
    }

    /** Lines of the form {@code <tab>mnemonic<tab>operands  # encoding: [0x48,0x89,0xc8]}. */
    private static List<Insn> parse(String stdout, boolean disassemble) {
        List<Insn> out = new ArrayList<>();
        for (String line : stdout.split("\n")) {
            int enc = line.indexOf("# encoding: [");
            if (enc < 0) {
                continue;
            }
            String text = line.substring(0, enc).trim().replaceAll("\\s+", " ");
            String hex = line.substring(enc + "# encoding: [".length(), line.indexOf(']', enc));
            String[] parts = hex.split(",");
            byte[] bytes = new byte[parts.length];
            for (int i = 0; i < parts.length; i++) {
                String h = parts[i].trim();
                if (h.startsWith("0x")) {
                    bytes[i] = (byte) Integer.parseInt(h.substring(2), 16);
                } else if (!disassemble) {
                    fail("unresolved fixup in llvm-mc output: " + line);
                }
            }
            // the disassembler prints a LOCK prefix (without 66 before it) as an instruction of its own
            if (!out.isEmpty() && out.get(out.size() - 1).text().equals("lock")) {
                Insn prefix = out.remove(out.size() - 1);
                byte[] joined = Arrays.copyOf(prefix.bytes(), prefix.bytes().length + bytes.length);
                System.arraycopy(bytes, 0, joined, prefix.bytes().length, bytes.length);
                text = "lock " + text;
                bytes = joined;
            }
            out.add(new Insn(text, bytes));
        }
        return out;
    }

    static String hex(byte[] b, int from, int to) {
        StringBuilder s = new StringBuilder();
        for (int i = from; i < to; i++) {
            if (i > from) {
                s.append(' ');
            }
            s.append(Character.forDigit((b[i] >> 4) & 15, 16)).append(Character.forDigit(b[i] & 15, 16));
        }
        return s.toString();
    }
}
