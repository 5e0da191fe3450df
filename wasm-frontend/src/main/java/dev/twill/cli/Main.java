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
            case "demo" -> demo();
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
        System.err.println("usage: twill demo | test | clif (test|print|verify|legalize|interpret) FILE... | bench [JMH ARGS]");
        System.err.println(WasmCommand.USAGE.replace("usage: ", "       "));
    }

    private static void demo() {
        new Demo(System.out).run();
    }
}
