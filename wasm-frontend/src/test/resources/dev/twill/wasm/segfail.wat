;; The second data segment is out of bounds: instantiation traps, the first stays written.
(module
  (import "env" "mem" (memory 1))
  (data (i32.const 100) "\aa\bb")
  (data (i32.const 65535) "\cc\dd")
  (data (i32.const 200) "\ee"))
