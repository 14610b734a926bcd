extension MatrixMultiply {
    /// `C[0..<6, 0..<16] (+)= Σ_k A[r, k]·B[k, 0..<16]` over `kc` steps, k increasing, one
    /// fused multiply–add per term and lane: `c = fma(a[r, k], b[k, j], c)`.
    ///
    /// `A[r, k]` is at `a + r·aRow + k·aStep`, `B[k, 0..<16]` at `b + k·bStep` (16 contiguous
    /// floats), `C[r, 0..<16]` at `c + r·ldc`. With `accumulate` false the sums start at +0,
    /// otherwise at the values in `C`. Twelve `SIMD8<Float>` accumulators, two `B` vectors and
    /// one broadcast fill 15 of the 16 AVX registers; the fused operations are written
    /// explicitly (`addingProduct`), so a build without FMA instructions computes the same bits
    /// through libm's correctly rounded `fmaf`.
    @inline(__always)
    static func kernel6x16(
        _ kc: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int,
        _ b: UnsafePointer<Float>, _ bStep: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
    ) {
        let cr = UnsafeMutableRawPointer(c), rowBytes = ldc * MemoryLayout<Float>.stride
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
        var c40 = SIMD8<Float>(), c41 = SIMD8<Float>(), c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
        if accumulate {
            c00 = cr.loadUnaligned(as: SIMD8<Float>.self)
            c01 = cr.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            c10 = cr.loadUnaligned(fromByteOffset: rowBytes, as: SIMD8<Float>.self)
            c11 = cr.loadUnaligned(fromByteOffset: rowBytes + 32, as: SIMD8<Float>.self)
            c20 = cr.loadUnaligned(fromByteOffset: 2 * rowBytes, as: SIMD8<Float>.self)
            c21 = cr.loadUnaligned(fromByteOffset: 2 * rowBytes + 32, as: SIMD8<Float>.self)
            c30 = cr.loadUnaligned(fromByteOffset: 3 * rowBytes, as: SIMD8<Float>.self)
            c31 = cr.loadUnaligned(fromByteOffset: 3 * rowBytes + 32, as: SIMD8<Float>.self)
            c40 = cr.loadUnaligned(fromByteOffset: 4 * rowBytes, as: SIMD8<Float>.self)
            c41 = cr.loadUnaligned(fromByteOffset: 4 * rowBytes + 32, as: SIMD8<Float>.self)
            c50 = cr.loadUnaligned(fromByteOffset: 5 * rowBytes, as: SIMD8<Float>.self)
            c51 = cr.loadUnaligned(fromByteOffset: 5 * rowBytes + 32, as: SIMD8<Float>.self)
        }
        var pa = a, pb = UnsafeRawPointer(b)
        let a1 = aRow, a2 = 2 * aRow, a3 = 3 * aRow, a4 = 4 * aRow, a5 = 5 * aRow
        let bBytes = bStep * MemoryLayout<Float>.stride
        for _ in 0..<kc {
            let b0 = pb.loadUnaligned(as: SIMD8<Float>.self)
            let b1 = pb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
            var v = SIMD8<Float>(repeating: pa[0])
            c00 = c00.addingProduct(v, b0); c01 = c01.addingProduct(v, b1)
            v = SIMD8<Float>(repeating: pa[a1])
            c10 = c10.addingProduct(v, b0); c11 = c11.addingProduct(v, b1)
            v = SIMD8<Float>(repeating: pa[a2])
            c20 = c20.addingProduct(v, b0); c21 = c21.addingProduct(v, b1)
            v = SIMD8<Float>(repeating: pa[a3])
            c30 = c30.addingProduct(v, b0); c31 = c31.addingProduct(v, b1)
            v = SIMD8<Float>(repeating: pa[a4])
            c40 = c40.addingProduct(v, b0); c41 = c41.addingProduct(v, b1)
            v = SIMD8<Float>(repeating: pa[a5])
            c50 = c50.addingProduct(v, b0); c51 = c51.addingProduct(v, b1)
            pa += aStep
            pb += bBytes
        }
        cr.storeBytes(of: c00, as: SIMD8<Float>.self)
        cr.storeBytes(of: c01, toByteOffset: 32, as: SIMD8<Float>.self)
        cr.storeBytes(of: c10, toByteOffset: rowBytes, as: SIMD8<Float>.self)
        cr.storeBytes(of: c11, toByteOffset: rowBytes + 32, as: SIMD8<Float>.self)
        cr.storeBytes(of: c20, toByteOffset: 2 * rowBytes, as: SIMD8<Float>.self)
        cr.storeBytes(of: c21, toByteOffset: 2 * rowBytes + 32, as: SIMD8<Float>.self)
        cr.storeBytes(of: c30, toByteOffset: 3 * rowBytes, as: SIMD8<Float>.self)
        cr.storeBytes(of: c31, toByteOffset: 3 * rowBytes + 32, as: SIMD8<Float>.self)
        cr.storeBytes(of: c40, toByteOffset: 4 * rowBytes, as: SIMD8<Float>.self)
        cr.storeBytes(of: c41, toByteOffset: 4 * rowBytes + 32, as: SIMD8<Float>.self)
        cr.storeBytes(of: c50, toByteOffset: 5 * rowBytes, as: SIMD8<Float>.self)
        cr.storeBytes(of: c51, toByteOffset: 5 * rowBytes + 32, as: SIMD8<Float>.self)
    }

    /// The 8-column variant of ``kernel6x16(_:_:_:_:_:_:_:_:_:)`` (`B[k, 0..<8]`, `C[r, 0..<8]`),
    /// with the same arithmetic per element.
    @inline(__always)
    static func kernel6x8(
        _ kc: Int, _ a: UnsafePointer<Float>, _ aRow: Int, _ aStep: Int,
        _ b: UnsafePointer<Float>, _ bStep: Int,
        _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
    ) {
        let cr = UnsafeMutableRawPointer(c), rowBytes = ldc * MemoryLayout<Float>.stride
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>()
        var c3 = SIMD8<Float>(), c4 = SIMD8<Float>(), c5 = SIMD8<Float>()
        if accumulate {
            c0 = cr.loadUnaligned(as: SIMD8<Float>.self)
            c1 = cr.loadUnaligned(fromByteOffset: rowBytes, as: SIMD8<Float>.self)
            c2 = cr.loadUnaligned(fromByteOffset: 2 * rowBytes, as: SIMD8<Float>.self)
            c3 = cr.loadUnaligned(fromByteOffset: 3 * rowBytes, as: SIMD8<Float>.self)
            c4 = cr.loadUnaligned(fromByteOffset: 4 * rowBytes, as: SIMD8<Float>.self)
            c5 = cr.loadUnaligned(fromByteOffset: 5 * rowBytes, as: SIMD8<Float>.self)
        }
        var pa = a, pb = b
        let a1 = aRow, a2 = 2 * aRow, a3 = 3 * aRow, a4 = 4 * aRow, a5 = 5 * aRow
        for _ in 0..<kc {
            let bv = UnsafeRawPointer(pb).loadUnaligned(as: SIMD8<Float>.self)
            c0 = c0.addingProduct(SIMD8<Float>(repeating: pa[0]), bv)
            c1 = c1.addingProduct(SIMD8<Float>(repeating: pa[a1]), bv)
            c2 = c2.addingProduct(SIMD8<Float>(repeating: pa[a2]), bv)
            c3 = c3.addingProduct(SIMD8<Float>(repeating: pa[a3]), bv)
            c4 = c4.addingProduct(SIMD8<Float>(repeating: pa[a4]), bv)
            c5 = c5.addingProduct(SIMD8<Float>(repeating: pa[a5]), bv)
            pa += aStep
            pb += bStep
        }
        cr.storeBytes(of: c0, as: SIMD8<Float>.self)
        cr.storeBytes(of: c1, toByteOffset: rowBytes, as: SIMD8<Float>.self)
        cr.storeBytes(of: c2, toByteOffset: 2 * rowBytes, as: SIMD8<Float>.self)
        cr.storeBytes(of: c3, toByteOffset: 3 * rowBytes, as: SIMD8<Float>.self)
        cr.storeBytes(of: c4, toByteOffset: 4 * rowBytes, as: SIMD8<Float>.self)
        cr.storeBytes(of: c5, toByteOffset: 5 * rowBytes, as: SIMD8<Float>.self)
    }

    /// One row of the tile kernels: `C[0..<w] (+)= Σ_k A[k]·B[k, 0..<w]` for `w` = 8 or 16
    /// (`wide`), with `A[k]` at `a + k·aStep`. The same arithmetic per element.
    @inline(__always)
    static func kernel1xPanel(
        _ kc: Int, _ a: UnsafePointer<Float>, _ aStep: Int,
        _ b: UnsafePointer<Float>, _ bStep: Int,
        _ c: UnsafeMutablePointer<Float>, _ accumulate: Bool, wide: Bool
    ) {
        let cr = UnsafeMutableRawPointer(c)
        var c0 = accumulate ? cr.loadUnaligned(as: SIMD8<Float>.self) : SIMD8<Float>()
        var c1 = accumulate && wide ? cr.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self) : SIMD8<Float>()
        var pa = a, pb = UnsafeRawPointer(b)
        let bBytes = bStep * MemoryLayout<Float>.stride
        if wide {
            for _ in 0..<kc {
                let v = SIMD8<Float>(repeating: pa[0])
                c0 = c0.addingProduct(v, pb.loadUnaligned(as: SIMD8<Float>.self))
                c1 = c1.addingProduct(v, pb.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self))
                pa += aStep
                pb += bBytes
            }
            cr.storeBytes(of: c1, toByteOffset: 32, as: SIMD8<Float>.self)
        } else {
            for _ in 0..<kc {
                c0 = c0.addingProduct(SIMD8<Float>(repeating: pa[0]), pb.loadUnaligned(as: SIMD8<Float>.self))
                pa += aStep
                pb += bBytes
            }
        }
        cr.storeBytes(of: c0, as: SIMD8<Float>.self)
    }
}
