;; Sieve of Eratosthenes over linear memory: counts the primes below n (n <= 16 MiB).
;; Memory grows on demand, so the bounds the code checks change while it runs.
(module
  (memory (export "memory") 1 256)
  (func (export "count_primes") (param $n i32) (result i32)
    (local $i i32) (local $j i32) (local $count i32) (local $pages i32)
    ;; grow the memory to hold n bytes
    (local.set $pages (i32.shr_u (i32.add (local.get $n) (i32.const 0xffff)) (i32.const 16)))
    (if (i32.gt_u (local.get $pages) (memory.size))
      (then (drop (memory.grow (i32.sub (local.get $pages) (memory.size))))))
    (memory.fill (i32.const 0) (i32.const 1) (local.get $n))
    (local.set $i (i32.const 2))
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.load8_u (local.get $i))
          (then
            (local.set $count (i32.add (local.get $count) (i32.const 1)))
            (local.set $j (i32.add (local.get $i) (local.get $i)))
            (block $inner_done
              (loop $inner
                (br_if $inner_done (i32.ge_u (local.get $j) (local.get $n)))
                (i32.store8 (local.get $j) (i32.const 0))
                (local.set $j (i32.add (local.get $j) (local.get $i)))
                (br $inner)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (local.get $count))
  ;; one byte of memory: an address past the memory's length traps heap_oob
  (func $peek (export "peek") (param $at i32) (result i32)
    (i32.load8_u (local.get $at))))
