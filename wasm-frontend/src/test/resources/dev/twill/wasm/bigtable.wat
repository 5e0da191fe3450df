;; A table of 100 million funcrefs (800 MB), within the format's limits.
(module (table 100000000 funcref))
