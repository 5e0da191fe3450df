;; A memory of 65,536 pages (4 GiB) at instantiation.
(module (memory (export "mem") 65536))
