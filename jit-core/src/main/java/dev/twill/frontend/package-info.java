/**
 * Building IR from a front end's variables: {@link dev.twill.frontend.FunctionBuilder} constructs
 * SSA form on the fly (Braun et al. 2013) with block parameters only where needed, using the side
 * tables of a reusable {@link dev.twill.frontend.FunctionBuilderContext};
 * {@link dev.twill.frontend.Switch} lowers multi-way branches.
 */
package dev.twill.frontend;
