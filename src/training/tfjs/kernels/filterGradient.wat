;; A convolution's filter gradient for one row of the output and one tap of the filter, in
;; WebAssembly SIMD, reading the TF.js wasm backend's own memory (imported): x and dy stay where
;; they are, NHWC, with no transposed copy and no repacking (see filterGradient.ts for why).
;;
;; tapRow(x, dy, dw, count, xStride, ci, co) adds, for c < ci and o < co,
;;   dw[c*co + o] += sum over p < count of x[p*xStride + c] * dy[p*co + o]
;; x: the input's first pixel of the row for this tap, dy: the output gradient's first pixel of the
;; row, dw: the tap's [ci, co] block; pointers in bytes, counts in floats; co a multiple of 4.
;; Two input channels by sixteen output channels at a time: eight f32x4 accumulators, which with
;; the four gradient vectors and two broadcast inputs stay in registers; output channels past the
;; last sixteen four at a time.
(module
  (import "env" "memory" (memory 0))
  (func (export "tapRow")
    (param $x i32) (param $dy i32) (param $dw i32) (param $count i32) (param $xStride i32) (param $ci i32) (param $co i32)
    (local $c i32) (local $o i32) (local $p i32) (local $xp i32) (local $dp i32) (local $w i32)
    (local $xStep i32) (local $coBytes i32) (local $pairs i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $a4 v128) (local $a5 v128) (local $a6 v128) (local $a7 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (local $s0 v128) (local $s1 v128)
    (local.set $xStep (i32.shl (local.get $xStride) (i32.const 2)))
    (local.set $coBytes (i32.shl (local.get $co) (i32.const 2)))
    (local.set $pairs (i32.and (local.get $ci) (i32.const -2)))
    ;; Input channels two at a time.
    (local.set $c (i32.const 0))
    (block $pairsDone
      (loop $pairLoop
        (br_if $pairsDone (i32.ge_u (local.get $c) (local.get $pairs)))
        (local.set $o (i32.const 0))
        (block $chunksDone
        (loop $chunkLoop
          (br_if $chunksDone (i32.gt_u (i32.add (local.get $o) (i32.const 16)) (local.get $co)))
          ;; w = dw + (c*co + o)*4: row c, and row c+1 one co further.
          (local.set $w (i32.add (local.get $dw)
            (i32.shl (i32.add (i32.mul (local.get $c) (local.get $co)) (local.get $o)) (i32.const 2))))
          (local.set $a0 (v128.load offset=0 (local.get $w)))
          (local.set $a1 (v128.load offset=16 (local.get $w)))
          (local.set $a2 (v128.load offset=32 (local.get $w)))
          (local.set $a3 (v128.load offset=48 (local.get $w)))
          (local.set $a4 (v128.load offset=0 (i32.add (local.get $w) (local.get $coBytes))))
          (local.set $a5 (v128.load offset=16 (i32.add (local.get $w) (local.get $coBytes))))
          (local.set $a6 (v128.load offset=32 (i32.add (local.get $w) (local.get $coBytes))))
          (local.set $a7 (v128.load offset=48 (i32.add (local.get $w) (local.get $coBytes))))
          (local.set $xp (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
          (local.set $dp (i32.add (local.get $dy) (i32.shl (local.get $o) (i32.const 2))))
          (local.set $p (local.get $count))
          (loop $pixelLoop
            (local.set $s0 (v128.load32_splat offset=0 (local.get $xp)))
            (local.set $s1 (v128.load32_splat offset=4 (local.get $xp)))
            (local.set $d0 (v128.load offset=0 (local.get $dp)))
            (local.set $d1 (v128.load offset=16 (local.get $dp)))
            (local.set $d2 (v128.load offset=32 (local.get $dp)))
            (local.set $d3 (v128.load offset=48 (local.get $dp)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s0) (local.get $d0))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s0) (local.get $d1))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s0) (local.get $d2))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s0) (local.get $d3))))
            (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (local.get $s1) (local.get $d0))))
            (local.set $a5 (f32x4.add (local.get $a5) (f32x4.mul (local.get $s1) (local.get $d1))))
            (local.set $a6 (f32x4.add (local.get $a6) (f32x4.mul (local.get $s1) (local.get $d2))))
            (local.set $a7 (f32x4.add (local.get $a7) (f32x4.mul (local.get $s1) (local.get $d3))))
            (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
            (local.set $dp (i32.add (local.get $dp) (local.get $coBytes)))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br_if $pixelLoop (local.get $p)))
          (v128.store offset=0 (local.get $w) (local.get $a0))
          (v128.store offset=16 (local.get $w) (local.get $a1))
          (v128.store offset=32 (local.get $w) (local.get $a2))
          (v128.store offset=48 (local.get $w) (local.get $a3))
          (v128.store offset=0 (i32.add (local.get $w) (local.get $coBytes)) (local.get $a4))
          (v128.store offset=16 (i32.add (local.get $w) (local.get $coBytes)) (local.get $a5))
          (v128.store offset=32 (i32.add (local.get $w) (local.get $coBytes)) (local.get $a6))
          (v128.store offset=48 (i32.add (local.get $w) (local.get $coBytes)) (local.get $a7))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br $chunkLoop)))
        ;; The output channels left, four at a time.
        (block $quadsDone
        (loop $quadLoop
          (br_if $quadsDone (i32.ge_u (local.get $o) (local.get $co)))
          (local.set $w (i32.add (local.get $dw)
            (i32.shl (i32.add (i32.mul (local.get $c) (local.get $co)) (local.get $o)) (i32.const 2))))
          (local.set $a0 (v128.load (local.get $w)))
          (local.set $a4 (v128.load (i32.add (local.get $w) (local.get $coBytes))))
          (local.set $xp (i32.add (local.get $x) (i32.shl (local.get $c) (i32.const 2))))
          (local.set $dp (i32.add (local.get $dy) (i32.shl (local.get $o) (i32.const 2))))
          (local.set $p (local.get $count))
          (loop $quadPixelLoop
            (local.set $d0 (v128.load (local.get $dp)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat offset=0 (local.get $xp)) (local.get $d0))))
            (local.set $a4 (f32x4.add (local.get $a4) (f32x4.mul (v128.load32_splat offset=4 (local.get $xp)) (local.get $d0))))
            (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
            (local.set $dp (i32.add (local.get $dp) (local.get $coBytes)))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br_if $quadPixelLoop (local.get $p)))
          (v128.store (local.get $w) (local.get $a0))
          (v128.store (i32.add (local.get $w) (local.get $coBytes)) (local.get $a4))
          (local.set $o (i32.add (local.get $o) (i32.const 4)))
          (br $quadLoop)))
        (local.set $c (i32.add (local.get $c) (i32.const 2)))
        (br $pairLoop)))
    ;; An odd last input channel: one row of accumulators.
    (if (i32.lt_u (local.get $pairs) (local.get $ci))
      (then
        (local.set $o (i32.const 0))
        (block $chunksDone1
        (loop $chunkLoop1
          (br_if $chunksDone1 (i32.gt_u (i32.add (local.get $o) (i32.const 16)) (local.get $co)))
          (local.set $w (i32.add (local.get $dw)
            (i32.shl (i32.add (i32.mul (local.get $pairs) (local.get $co)) (local.get $o)) (i32.const 2))))
          (local.set $a0 (v128.load offset=0 (local.get $w)))
          (local.set $a1 (v128.load offset=16 (local.get $w)))
          (local.set $a2 (v128.load offset=32 (local.get $w)))
          (local.set $a3 (v128.load offset=48 (local.get $w)))
          (local.set $xp (i32.add (local.get $x) (i32.shl (local.get $pairs) (i32.const 2))))
          (local.set $dp (i32.add (local.get $dy) (i32.shl (local.get $o) (i32.const 2))))
          (local.set $p (local.get $count))
          (loop $pixelLoop1
            (local.set $s0 (v128.load32_splat offset=0 (local.get $xp)))
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (local.get $s0) (v128.load offset=0 (local.get $dp)))))
            (local.set $a1 (f32x4.add (local.get $a1) (f32x4.mul (local.get $s0) (v128.load offset=16 (local.get $dp)))))
            (local.set $a2 (f32x4.add (local.get $a2) (f32x4.mul (local.get $s0) (v128.load offset=32 (local.get $dp)))))
            (local.set $a3 (f32x4.add (local.get $a3) (f32x4.mul (local.get $s0) (v128.load offset=48 (local.get $dp)))))
            (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
            (local.set $dp (i32.add (local.get $dp) (local.get $coBytes)))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br_if $pixelLoop1 (local.get $p)))
          (v128.store offset=0 (local.get $w) (local.get $a0))
          (v128.store offset=16 (local.get $w) (local.get $a1))
          (v128.store offset=32 (local.get $w) (local.get $a2))
          (v128.store offset=48 (local.get $w) (local.get $a3))
          (local.set $o (i32.add (local.get $o) (i32.const 16)))
          (br $chunkLoop1)))
        (block $quadsDone1
        (loop $quadLoop1
          (br_if $quadsDone1 (i32.ge_u (local.get $o) (local.get $co)))
          (local.set $w (i32.add (local.get $dw)
            (i32.shl (i32.add (i32.mul (local.get $pairs) (local.get $co)) (local.get $o)) (i32.const 2))))
          (local.set $a0 (v128.load (local.get $w)))
          (local.set $xp (i32.add (local.get $x) (i32.shl (local.get $pairs) (i32.const 2))))
          (local.set $dp (i32.add (local.get $dy) (i32.shl (local.get $o) (i32.const 2))))
          (local.set $p (local.get $count))
          (loop $quadPixelLoop1
            (local.set $a0 (f32x4.add (local.get $a0) (f32x4.mul (v128.load32_splat (local.get $xp)) (v128.load (local.get $dp)))))
            (local.set $xp (i32.add (local.get $xp) (local.get $xStep)))
            (local.set $dp (i32.add (local.get $dp) (local.get $coBytes)))
            (local.set $p (i32.sub (local.get $p) (i32.const 1)))
            (br_if $quadPixelLoop1 (local.get $p)))
          (v128.store (local.get $w) (local.get $a0))
          (local.set $o (i32.add (local.get $o) (i32.const 4)))
          (br $quadLoop1)))))))
