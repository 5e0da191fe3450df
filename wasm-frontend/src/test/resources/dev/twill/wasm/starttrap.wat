;; Allocates what an instance can (a memory reserving 4 GiB of address space, a table, globals),
;; then traps in its start function.
(module
  (memory (export "mem") 1)
  (table 100 funcref)
  (global (mut i64) (i64.const 7))
  (func $start unreachable)
  (start $start))
