;; One memory without a maximum: 4 GiB of address space reserved per instance (6 GiB with guard pages).
(module (memory (export "mem") 1))
