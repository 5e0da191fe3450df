;; One memory without a maximum: 4 GiB of address space reserved per instance.
(module (memory (export "mem") 1))
