;; call_indirect across types that the IR cannot tell apart: funcref, externref and i64 are all
;; IR i64, so (funcref)->(), (externref)->() and (i64)->() share one IR signature, as do
;; ()->(funcref) and ()->(externref). Wasm type equality must still be exact.
(module
  (type $f (func (param funcref)))
  (type $e (func (param externref)))
  (type $i (func (param i64)))
  (type $rf (func (result funcref)))
  (type $re (func (result externref)))
  (import "host" "ext_sink" (func $host_ext (type $e)))
  (table $t (export "table") 8 funcref)
  (func $takes_func (export "takes_func") (type $f))
  (func $takes_ext (type $e))
  (func $takes_i64 (type $i))
  (func $gives_func (type $rf) (ref.null func))
  (func $gives_ext (type $re) (ref.null extern))
  ;; slots: 0 (funcref)  1 (externref)  2 (i64)  3 ()->funcref  4 ()->externref  5 host (externref)
  (elem (table $t) (i32.const 0) func $takes_func $takes_ext $takes_i64 $gives_func $gives_ext $host_ext)
  (func (export "as_func") (param i32) (call_indirect $t (type $f) (ref.null func) (local.get 0)))
  (func (export "as_ext") (param i32) (call_indirect $t (type $e) (ref.null extern) (local.get 0)))
  (func (export "as_i64") (param i32) (call_indirect $t (type $i) (i64.const 0) (local.get 0)))
  (func (export "as_rf") (param i32) (drop (call_indirect $t (type $rf) (local.get 0))))
  (func (export "as_re") (param i32) (drop (call_indirect $t (type $re) (local.get 0))))
)
