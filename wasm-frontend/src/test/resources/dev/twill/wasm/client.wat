;; Imports safety.wat's double and its table, so that it runs safety.wat's code (SandboxBoundaryTest).
(module
  (type $i2i (func (param i32) (result i32)))
  (import "a" "double" (func $d (param i32) (result i32)))
  (import "a" "table" (table $t 4 funcref))
  (func (export "viaImport") (param i32) (result i32) (call $d (local.get 0)))
  (func (export "viaTable") (param i32 i32) (result i32)
    (call_indirect $t (type $i2i) (local.get 1) (local.get 0))))
