;; Calls into trapnames_a.wat: an imported function, and the shared table.
(module
  (type $v (func))
  (import "a" "explode" (func $a_explode))
  (import "a" "divide" (func $a_divide (param i32) (result i32)))
  (import "a" "fill_oob" (func $a_fill_oob))
  (import "a" "table" (table $t 2 funcref))
  (func (export "via_import") (call $a_explode))
  (func (export "via_table") (call_indirect $t (type $v) (i32.const 0)))
  (func (export "divide_by") (param i32) (result i32) (call $a_divide (local.get 0)))
  (func (export "fill_via_import") (call $a_fill_oob))
  (func $own (export "own") unreachable)
)
