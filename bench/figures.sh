#!/bin/sh
# Runs the benchmarks behind the README's figures, briefly (one fork, short iterations), and
# keeps JMH's output in target/figures/. Run from the repository root: bench/figures.sh
# (./twill bench builds the jar first; this script assumes it is built).
set -eu
out=target/figures
mkdir -p "$out"
jmh() { name=$1; shift; java -jar bench/target/benchmarks.jar "$@" -rf json -rff "$out/$name.json" | tee "$out/$name.txt" | grep -E '^(Benchmark|[A-Za-z].*(ops/s|ms/op|us/op|ns/op|insts))' || true; }
jmh ir IrThroughput -f 1 -wi 5 -i 5 -prof gc
jmh compile CompileThroughput -p size=1000,100000 -f 1
jmh call CallOverhead -f 1
jmh wasm-compile WasmCompile
jmh instantiate Instantiate
jmh kernels KernelBenchmark -p tier=speed
# Per-phase compile cost in thread CPU time (robust on a shared machine).
for opt in none speed; do
  for n in 1000 100000; do
    java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar dev.twill.bench.CompilePhases $n $opt | tee -a "$out/phases.txt"
  done
done
# IR build/verify/legalize and wasm module compile (cold first compile, then warm) in CPU time.
for n in 1000 100000; do
  java -cp bench/target/benchmarks.jar dev.twill.bench.IrPhases $n | tee -a "$out/ir-phases.txt"
done
for opt in none speed; do
  java --enable-native-access=ALL-UNNAMED -Xss16m -cp bench/target/benchmarks.jar dev.twill.bench.wasm.WasmCompileTimes $opt \
    | tee -a "$out/wasm-compile-times.txt"
done
