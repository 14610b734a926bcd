extension MatrixMultiply {
    /// `C[0..<6, 0..<8] (+)= Σ_k A[r, k]·B[k, 0..<8]` over `kc` steps, k increasing.
    ///
    /// `A[r, k]` is at `a + r·aRow + k·aStep`, `B[k, 0..<8]` at `b + k·bStep` (8 contiguous
    /// floats), `C[r, 0..<8]` at `c + r·ldc`. With `accumulate` false the sums start at +0,
    /// otherwise at the values in `C`. One multiply then one add per term, per lane.
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
            c0 += SIMD8<Float>(repeating: pa[0]) * bv
            c1 += SIMD8<Float>(repeating: pa[a1]) * bv
            c2 += SIMD8<Float>(repeating: pa[a2]) * bv
            c3 += SIMD8<Float>(repeating: pa[a3]) * bv
            c4 += SIMD8<Float>(repeating: pa[a4]) * bv
            c5 += SIMD8<Float>(repeating: pa[a5]) * bv
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

    /// One row of ``kernel6x8(_:_:_:_:_:_:_:_:_:)``: `C[0..<8] (+)= Σ_k A[k]·B[k, 0..<8]`,
    /// with `A[k]` at `a + k·aStep`. The same arithmetic per element.
    @inline(__always)
    static func kernel1x8(
        _ kc: Int, _ a: UnsafePointer<Float>, _ aStep: Int,
        _ b: UnsafePointer<Float>, _ bStep: Int,
        _ c: UnsafeMutablePointer<Float>, _ accumulate: Bool
    ) {
        let cr = UnsafeMutableRawPointer(c)
        var c0 = accumulate ? cr.loadUnaligned(as: SIMD8<Float>.self) : SIMD8<Float>()
        var pa = a, pb = b
        for _ in 0..<kc {
            c0 += SIMD8<Float>(repeating: pa[0]) * UnsafeRawPointer(pb).loadUnaligned(as: SIMD8<Float>.self)
            pa += aStep
            pb += bStep
        }
        cr.storeBytes(of: c0, as: SIMD8<Float>.self)
    }
}
