;; The Mandelbrot set on a size x size grid: f64 arithmetic in a loop with a data-dependent exit.
;; Returns the number of points that stay bounded for 100 iterations.
(module
  (func (export "mandelbrot") (param $size i32) (result i32)
    (local $x i32) (local $y i32) (local $k i32) (local $inside i32)
    (local $cr f64) (local $ci f64) (local $zr f64) (local $zi f64) (local $t f64)
    (loop $rows
      (local.set $x (i32.const 0))
      (loop $cols
        (local.set $cr (f64.sub (f64.div (f64.mul (f64.const 2.5) (f64.convert_i32_s (local.get $x)))
                                         (f64.convert_i32_s (local.get $size))) (f64.const 2.0)))
        (local.set $ci (f64.sub (f64.div (f64.mul (f64.const 2.0) (f64.convert_i32_s (local.get $y)))
                                         (f64.convert_i32_s (local.get $size))) (f64.const 1.0)))
        (local.set $zr (f64.const 0))
        (local.set $zi (f64.const 0))
        (local.set $k (i32.const 0))
        (block $escaped
          (loop $iterate
            (br_if $escaped (i32.ge_s (local.get $k) (i32.const 100)))
            (br_if $escaped (f64.gt (f64.add (f64.mul (local.get $zr) (local.get $zr))
                                             (f64.mul (local.get $zi) (local.get $zi))) (f64.const 4.0)))
            (local.set $t (f64.add (f64.sub (f64.mul (local.get $zr) (local.get $zr))
                                            (f64.mul (local.get $zi) (local.get $zi))) (local.get $cr)))
            (local.set $zi (f64.add (f64.mul (f64.mul (f64.const 2.0) (local.get $zr)) (local.get $zi)) (local.get $ci)))
            (local.set $zr (local.get $t))
            (local.set $k (i32.add (local.get $k) (i32.const 1)))
            (br $iterate)))
        (if (i32.eq (local.get $k) (i32.const 100))
          (then (local.set $inside (i32.add (local.get $inside) (i32.const 1)))))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br_if $cols (i32.lt_s (local.get $x) (local.get $size))))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br_if $rows (i32.lt_s (local.get $y) (local.get $size))))
    (local.get $inside)))
