;; A second module calling through calltypes.wat's table: its type section is ordered
;; differently, so only structural (canonical) type ids can make the checks agree.
(module
  (type $pad (func (param i32 i32)))
  (type $e (func (param externref)))
  (type $f (func (param funcref)))
  (import "a" "table" (table $t 8 funcref))
  ;; a wasm function imported from the other instance: its record here is a copy of the exporter's
  (import "a" "takes_func" (func $tf (type $f)))
  (table $own 1 funcref)
  (elem (table $own) (i32.const 0) func $tf)
  (func (export "own_as_func") (call_indirect $own (type $f) (ref.null func) (i32.const 0)))
  (func (export "own_as_ext") (call_indirect $own (type $e) (ref.null extern) (i32.const 0)))
  (func (export "as_func") (param i32) (call_indirect $t (type $f) (ref.null func) (local.get 0)))
  (func (export "as_ext") (param i32) (call_indirect $t (type $e) (ref.null extern) (local.get 0)))
)
