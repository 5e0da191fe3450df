;; Traps for TrapNameTest: raised by compiled code and by builtins, reached directly or from
;; another instance (trapnames_b.wat).
(module
  (memory (export "mem") 1 1)
  (table $t (export "table") 2 funcref)
  (elem (table $t) (i32.const 0) func $explode)
  (func $explode (export "explode") unreachable)
  (func $divide (export "divide") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (func $fill_oob (export "fill_oob") (memory.fill (i32.const 65535) (i32.const 0) (i32.const 2)))
  (func $copy_oob (export "copy_oob") (memory.copy (i32.const 0) (i32.const 65535) (i32.const 2)))
  (func $table_oob (export "table_oob") (table.copy (i32.const 1) (i32.const 0) (i32.const 2)))
  (func (export "calls_fill_oob") (call $fill_oob))
)
