package dev.twill.cli;

import dev.twill.ir.Function;
import dev.twill.ir.InstBuilder;
import dev.twill.ir.Signature;
import dev.twill.ir.Type;

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
            default -> {
                System.err.println("twill: unknown command '" + args[0] + "'");
                usage();
                System.exit(2);
            }
        }
    }

    private static void usage() {
        System.err.println("usage: twill demo | test | clif (test|print|verify|legalize|interpret) FILE... | bench");
    }

    private static void demo() {
        Function f = new Function("%add", Signature.of(new int[] {Type.I32, Type.I32}, new int[] {Type.I32}));
        int b0 = f.makeBlock();
        f.layout.appendBlock(b0);
        int x = f.dfg.appendBlockParam(b0, Type.I32);
        int y = f.dfg.appendBlockParam(b0, Type.I32);
        InstBuilder b = new InstBuilder(f).atEnd(b0);
        b.ret(b.iadd(x, y));
        System.out.print(f);
    }
}
