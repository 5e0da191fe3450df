;; Host interplay: a Java host function imported and called in a loop, multi-value results,
;; a table of functions called indirectly, and a trap (integer division by zero).
(module
  (import "env" "report" (func $report (param i32 i64)))
  (type $binop (func (param i64 i64) (result i64)))
  (table 3 funcref)
  (elem (i32.const 0) $add $mul $sub)
  (func $add (type $binop) (i64.add (local.get 0) (local.get 1)))
  (func $mul (type $binop) (i64.mul (local.get 0) (local.get 1)))
  (func $sub (type $binop) (i64.sub (local.get 0) (local.get 1)))
  ;; applies table entry (i mod 3) to (acc, i) for i in [1, n], reporting every step to the host
  (func (export "fold") (param $n i32) (result i64)
    (local $i i32) (local $acc i64)
    (local.set $acc (i64.const 1))
    (local.set $i (i32.const 1))
    (block $done
      (loop $next
        (br_if $done (i32.gt_s (local.get $i) (local.get $n)))
        (local.set $acc (call_indirect (type $binop) (local.get $acc) (i64.extend_i32_s (local.get $i))
                                       (i32.rem_u (local.get $i) (i32.const 3))))
        (call $report (local.get $i) (local.get $acc))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  ;; quotient and remainder: two results
  (func $divmod (export "divmod") (param $a i32) (param $b i32) (result i32 i32)
    (i32.div_s (local.get $a) (local.get $b))
    (i32.rem_s (local.get $a) (local.get $b))))
