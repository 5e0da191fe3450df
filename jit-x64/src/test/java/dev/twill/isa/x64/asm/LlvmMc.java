package dev.twill.isa.x64.asm;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The oracle: LLVM's {@code llvm-mc}, run once per batch. {@link #assemble} turns Intel-syntax lines
 * into llvm's canonical text and encoding; {@link #disassemble} decodes a byte stream into
 * instructions with their encodings. A missing llvm-mc fails the test with a message saying so;
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

    /** Decodes {@code code} as a stream of instructions. */
    static List<Insn> disassemble(byte[] code, int length) {
        StringBuilder in = new StringBuilder(length * 5);
        for (int i = 0; i < length; i++) {
            in.append("0x").append(Character.forDigit((code[i] >> 4) & 15, 16))
                    .append(Character.forDigit(code[i] & 15, 16)).append(i % 16 == 15 ? '\n' : ' ');
        }
        in.append('\n');
        return run(in.toString(), true);
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
                return parse(stdout);
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
    private static List<Insn> parse(String stdout) {
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
                if (!h.startsWith("0x")) {
                    fail("unresolved fixup in llvm-mc output: " + line);
                }
                bytes[i] = (byte) Integer.parseInt(h.substring(2), 16);
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
