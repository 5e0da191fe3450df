;; Direct and indirect calls, tables and references.
(module
  (type $i_i (func (param i32) (result i32)))
  (type $ii_i (func (param i32 i32) (result i32)))
  (table $t 4 8 funcref)
  (table $e 2 externref)
  (elem (table $t) (i32.const 0) func $inc $dec $add)
  (elem $passive func $add $inc)

  (func $inc (type $i_i) (i32.add (local.get 0) (i32.const 1)))
  (func $dec (type $i_i) (i32.sub (local.get 0) (i32.const 1)))
  (func $add (type $ii_i) (i32.add (local.get 0) (local.get 1)))

  (func (export "call_ind") (param i32 i32) (result i32)
    (call_indirect $t (type $i_i) (local.get 1) (local.get 0)))
  (func (export "call_ind2") (param i32 i32 i32) (result i32)
    (call_indirect $t (type $ii_i) (local.get 1) (local.get 2) (local.get 0)))
  (func (export "call_direct") (param i32) (result i32)
    (call $add (call $inc (local.get 0)) (call $dec (local.get 0))))

  (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
  (func (export "set_null") (param i32) (table.set $t (local.get 0) (ref.null func)))
  (func (export "set_dec") (param i32) (table.set $t (local.get 0) (ref.func $dec)))
  (func (export "copy_slot") (param i32 i32) (table.set $t (local.get 0) (table.get $t (local.get 1))))
  (func (export "tsize") (result i32) (table.size $t))
  (func (export "tgrow") (param i32) (result i32) (table.grow $t (ref.func $inc) (local.get 0)))
  (func (export "tfill") (param i32 i32) (table.fill $t (local.get 0) (ref.null func) (local.get 1)))
  (func (export "tcopy") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
  (func (export "tinit") (param i32 i32 i32) (table.init $t $passive (local.get 0) (local.get 1) (local.get 2)))
  (func (export "edrop") (elem.drop $passive))

  (func (export "ext_set") (param i32 externref) (table.set $e (local.get 0) (local.get 1)))
  (func (export "ext_get") (param i32) (result externref) (table.get $e (local.get 0)))
  (func (export "ext_size") (result i32) (table.size $e))
  (func (export "ext_null") (result externref) (ref.null extern))

  ;; a call through a funcref held in a local
  (func (export "call_ref_local") (param i32) (result i32) (local funcref)
    (local.set 1 (ref.func $inc))
    (table.set $t (i32.const 3) (local.get 1))
    (call_indirect $t (type $i_i) (local.get 0) (i32.const 3)))

  ;; deep recursion through call_indirect
  (func $countdown (export "countdown") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $countdown (i32.sub (local.get 0) (i32.const 1)))))))
)
