package dev.twill.cli;

/** The {@code ./twill} command line: dispatches subcommands. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (args.length == 0) {
            usage();
            System.exit(2);
        }
        switch (args[0]) {
            case "demo" -> demo(args.length > 1 && args[1].equals("ir"));
            case "clif" -> System.exit(new dev.twill.filetest.ClifCommand(System.out, System.err)
                    .run(java.util.Arrays.copyOfRange(args, 1, args.length)));
            case "wasm" -> System.exit(new WasmCommand(System.out, System.err)
                    .run(java.util.Arrays.copyOfRange(args, 1, args.length)));
            default -> {
                System.err.println("twill: unknown command '" + args[0] + "'");
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.err.println("usage: twill demo [ir] | test | clif (test|print|verify|legalize|interpret) FILE... | bench [JMH ARGS]");
        System.err.println(WasmCommand.USAGE.replace("usage: ", "       "));
    }

    /** The WebAssembly demo, or with {@code ir} the IR-level one (builder, verifier, legalizer, interpreter). */
    private static void demo(boolean ir) {
        if (ir) {
            new Demo(System.out).run();
            return;
        }
        try {
            System.exit(new WasmDemo(System.out).run() == 0 ? 0 : 1);
        } catch (java.io.IOException e) {
            System.err.println("twill demo: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }
}
