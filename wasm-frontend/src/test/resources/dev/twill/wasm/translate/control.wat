;; Control flow: blocks, loops, if/else, br/br_if/br_table, multi-value, unreachable code.
(module
  (type $ii_i (func (param i32 i32) (result i32)))

  (func $fac (export "fac") (param i64) (result i64)
    (if (result i64) (i64.eqz (local.get 0))
      (then (i64.const 1))
      (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))

  (func (export "fac_loop") (param i64) (result i64) (local i64)
    (local.set 1 (i64.const 1))
    (block (loop
      (br_if 1 (i64.eqz (local.get 0)))
      (local.set 1 (i64.mul (local.get 1) (local.get 0)))
      (local.set 0 (i64.sub (local.get 0) (i64.const 1)))
      (br 0)))
    (local.get 1))

  (func (export "switch") (param i32) (result i32)
    (block $d (block $c (block $b (block $a
      (br_table $a $b $c $d (local.get 0)))
      (return (i32.const 100)))
      (return (i32.const 101)))
      (return (i32.const 102)))
    (i32.const 103))

  (func (export "switch_val") (param i32) (result i32)
    (i32.add (i32.const 1000)
      (block $b (result i32)
        (i32.add (i32.const 10)
          (block $a (result i32)
            (br_table $a $b $a $b (i32.const 5) (local.get 0)))))))

  ;; br_table to the function label and to a loop
  (func (export "switch_loop") (param i32) (result i32) (local i32)
    (block $out
      (loop $again
        (local.set 1 (i32.add (local.get 1) (i32.const 1)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br_table $again $out (i32.and (local.get 0) (i32.const 3)))))
    (i32.add (local.get 1) (i32.const 1000)))

  (func (export "switch_ret") (param i32) (result i32)
    (block $a (result i32)
      (br_table $a 1 (i32.const 7) (local.get 0)))
    (i32.const 100) (i32.add))

  (func (export "multi") (param i32) (result i32 i32)
    (block (result i32 i32)
      (i32.const 1) (i32.const 2)
      (br_if 0 (local.get 0))
      (drop) (drop)
      (i32.const 3) (i32.const 4)))

  (func (export "block_params") (param i32 i32) (result i32)
    (local.get 0) (local.get 1)
    (block (type $ii_i) (i32.sub)))

  (func (export "loop_params") (param i32) (result i32) (local i32)
    (i32.const 0) (local.get 0)
    (loop $l (param i32 i32) (result i32)
      (local.set 1)
      (local.get 1) (i32.add)
      (local.get 1) (i32.const 1) (i32.sub)
      (local.get 1) (i32.const 1) (i32.gt_s)
      (br_if $l)
      (drop)))

  (func (export "if_params") (param i32 i32) (result i32)
    (local.get 1)
    (if (param i32) (result i32) (local.get 0) (then (i32.const 2) (i32.mul))))

  (func (export "if_else_params") (param i32 i32 i32) (result i32 i32)
    (local.get 1) (local.get 2)
    (if (param i32 i32) (result i32 i32) (local.get 0)
      (then (i32.add) (i32.const 1))
      (else (i32.sub) (i32.const 2))))

  (func (export "if_no_else") (param i32) (result i32) (local i32)
    (local.set 1 (i32.const 5))
    (if (local.get 0) (then (local.set 1 (i32.const 6))))
    (local.get 1))

  (func (export "dead") (param i32) (result i32)
    (block (result i32)
      (br 0 (i32.const 7))
      (i32.add)
      (block (loop (br 0)))
      (if (then (unreachable)) (else (nop)))
      (br_table 0 0 0))
    (return)
    (i64.const 0) (drop) (i32.const 1))

  (func (export "dead_after_block") (param i32) (result i32)
    (block (br_if 0 (local.get 0)) (return (i32.const 1)))
    (block (return (i32.const 2)))
    (block (loop (br 0)))
    (i32.const 3))

  (func (export "dead_then") (param i32) (result i32)
    (if (result i32) (local.get 0)
      (then (return (i32.const 10)) (i32.const 0) (i32.add))
      (else (i32.const 20))))

  (func (export "unreachable") (param i32) (result i32)
    (if (local.get 0) (then (unreachable)))
    (i32.const 9))

  (func (export "primes") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $c i32)
    (local.set $i (i32.const 2))
    (block $done (loop $outer
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $j (i32.const 2))
      (block $composite (block $prime (loop $inner
        (br_if $prime (i32.gt_u (i32.mul (local.get $j) (local.get $j)) (local.get $i)))
        (br_if $composite (i32.eqz (i32.rem_u (local.get $i) (local.get $j))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $inner)))
        (local.set $c (i32.add (local.get $c) (i32.const 1))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $outer)))
    (local.get $c))

  (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
  (func (export "call_multi") (param i32 i32) (result i32)
    (call $swap (local.get 0) (local.get 1)) (i32.sub))

  (func (export "three") (param i32) (result i32 i64 f64)
    (local.get 0) (i64.extend_i32_s (local.get 0)) (f64.convert_i32_s (local.get 0)))

  (func (export "select") (param i32 i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (local.get 2)))
  (func (export "select_f64") (param f64 f64 i32) (result f64)
    (select (result f64) (local.get 0) (local.get 1) (local.get 2)))
  (func (export "select_cmp") (param i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.lt_s (local.get 0) (local.get 1))))

  (func (export "locals_zero") (result i64 f32 f64 i32)
    (local i64 f32 f64 i32)
    (local.get 0) (local.get 1) (local.get 2) (local.get 3))

  (func (export "tee") (param i32) (result i32) (local i32)
    (i32.add (local.tee 1 (i32.mul (local.get 0) (i32.const 3))) (local.get 1)))

  (func (export "return_mid") (param i32) (result i32)
    (block (block
      (br_if 1 (local.get 0))
      (return (i32.const 4))))
    (i32.const 5))

  (func (export "br_if_value") (param i32) (result i32)
    (block (result i32)
      (drop (br_if 0 (i32.const 50) (local.get 0)))
      (i32.const 60)))

  (func (export "loop_result") (param i32) (result i32)
    (loop (result i32) (i32.add (local.get 0) (i32.const 1))))

  (func (export "nested_if") (param i32 i32) (result i32)
    (if (result i32) (local.get 0)
      (then (if (result i32) (local.get 1) (then (i32.const 1)) (else (i32.const 2))))
      (else (if (result i32) (local.get 1) (then (i32.const 3)) (else (i32.const 4))))))
;; comparisons left pending on the stack across frames, as block arguments and in select
  (func (export "pending") (param i32 i32) (result i32)
    (i32.lt_s (local.get 0) (local.get 1))
    (if (local.get 0) (then (nop)) (else (nop)))
    (i32.eqz (local.get 1))
    (block (param i32) (result i32) (i32.const 5) (i32.add))
    (i32.add))
  (func (export "select_eqz") (param i32) (result i32)
    (select (i32.const 1) (i32.const 2) (i32.eqz (local.get 0))))
  (func (export "pending_br") (param i32) (result i32)
    (block (result i32)
      (i32.gt_u (local.get 0) (i32.const 10))
      (br_if 0 (local.get 0))
      (i32.const 100) (i32.add)))
)
