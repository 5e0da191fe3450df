/**
 * Analyses over a function's control flow that passes and the verifier share: the {@link
 * dev.twill.analysis.ControlFlowGraph} (block predecessors and successors, with the branch
 * instruction of every edge) and the {@link dev.twill.analysis.DominatorTree} (dominance at
 * instruction granularity over extended basic blocks). Both are reusable contexts: {@code
 * compute} refills their arrays and allocates nothing once they have grown.
 */
package dev.twill.analysis;
