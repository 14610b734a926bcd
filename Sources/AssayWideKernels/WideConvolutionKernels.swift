/// The convolution kernels that use 16-lane vectors, in a module of their own so that only they
/// are compiled for AVX-512 (Package.swift): tree ensembles and other code lose speed when the
/// whole library targets it.
///
/// Each output element is the fused sum `c = fma(w, x, c)` from +0 over the taps in increasing
/// order, then `+ bias` (one IEEE add), then with `relu` `y < 0 ? 0 : y` — lane by lane, so the
/// bits do not depend on the vector width (AssayModels' `Convolution` documents the arithmetic).
public enum WideConvolutionKernels {
    /// Sixteen 16-lane accumulators: 4 output channels × 4 pieces.
    struct Tile {
        typealias V = SIMD16<Float>
        var c00 = V(), c01 = V(), c02 = V(), c03 = V()
        var c10 = V(), c11 = V(), c12 = V(), c13 = V()
        var c20 = V(), c21 = V(), c22 = V(), c23 = V()
        var c30 = V(), c31 = V(), c32 = V(), c33 = V()

        /// One tap: `c[r][j] = fma(w[r], v_j, c[r][j])` for the four channels and pieces.
        @inline(__always)
        mutating func add(_ w: UnsafePointer<Float>, _ v0: V, _ v1: V, _ v2: V, _ v3: V) {
            var a = V(repeating: w[0])
            c00 = c00.addingProduct(a, v0); c01 = c01.addingProduct(a, v1); c02 = c02.addingProduct(a, v2); c03 = c03.addingProduct(a, v3)
            a = V(repeating: w[1])
            c10 = c10.addingProduct(a, v0); c11 = c11.addingProduct(a, v1); c12 = c12.addingProduct(a, v2); c13 = c13.addingProduct(a, v3)
            a = V(repeating: w[2])
            c20 = c20.addingProduct(a, v0); c21 = c21.addingProduct(a, v1); c22 = c22.addingProduct(a, v2); c23 = c23.addingProduct(a, v3)
            a = V(repeating: w[3])
            c30 = c30.addingProduct(a, v0); c31 = c31.addingProduct(a, v1); c32 = c32.addingProduct(a, v2); c33 = c33.addingProduct(a, v3)
        }
    }

    /// For `r < 4` and each of the first `pieces` (1–4) pieces `j` of 16 outputs:
    /// `D_j[r·ldc ..< r·ldc + 16] = relu?((Σ_k fma over w[k·4 + r] · x_j[offsets[k] ..< offsets[k] + 16]) + bias[r])`,
    /// the fused sum from +0 in increasing `k`, the bias added after it, then with `relu`
    /// `y < 0 ? 0 : y` per lane (NaN and −0 pass through); only the first `rows` channels are
    /// stored. Each piece is read at its own place in the padded planes and stored at its own
    /// place. Up to sixteen 16-lane accumulators; per tap up to four loads, four broadcasts and
    /// sixteen fused multiply–adds.
    public static func kernel4xPieces(
        _ pieces: Int, _ count: Int, _ w: UnsafePointer<Float>,
        _ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>, _ x3: UnsafePointer<Float>,
        _ offsets: UnsafePointer<Int>, _ bias: UnsafePointer<Float>?,
        _ d0: UnsafeMutablePointer<Float>, _ d1: UnsafeMutablePointer<Float>, _ d2: UnsafeMutablePointer<Float>, _ d3: UnsafeMutablePointer<Float>,
        _ ldc: Int, rows: Int, relu: Bool
    ) {
        typealias V = SIMD16<Float>
        var c00 = V(), c01 = V(), c02 = V(), c03 = V()
        var c10 = V(), c11 = V(), c12 = V(), c13 = V()
        var c20 = V(), c21 = V(), c22 = V(), c23 = V()
        var c30 = V(), c31 = V(), c32 = V(), c33 = V()
        let r0 = UnsafeRawPointer(x0), r1 = UnsafeRawPointer(x1), r2 = UnsafeRawPointer(x2), r3 = UnsafeRawPointer(x3)
        var pw = w
        switch pieces {
        case 4:
            var tile = Tile()
            for k in 0..<count {
                let o = offsets[k] * MemoryLayout<Float>.stride
                tile.add(pw, r0.loadUnaligned(fromByteOffset: o, as: V.self), r1.loadUnaligned(fromByteOffset: o, as: V.self),
                         r2.loadUnaligned(fromByteOffset: o, as: V.self), r3.loadUnaligned(fromByteOffset: o, as: V.self))
                pw += 4
            }
            (c00, c01, c02, c03, c10, c11, c12, c13) = (tile.c00, tile.c01, tile.c02, tile.c03, tile.c10, tile.c11, tile.c12, tile.c13)
            (c20, c21, c22, c23, c30, c31, c32, c33) = (tile.c20, tile.c21, tile.c22, tile.c23, tile.c30, tile.c31, tile.c32, tile.c33)
        case 3:
            for k in 0..<count {
                let o = offsets[k] * MemoryLayout<Float>.stride
                let v0 = r0.loadUnaligned(fromByteOffset: o, as: V.self), v1 = r1.loadUnaligned(fromByteOffset: o, as: V.self)
                let v2 = r2.loadUnaligned(fromByteOffset: o, as: V.self)
                var a = V(repeating: pw[0])
                c00 = c00.addingProduct(a, v0); c01 = c01.addingProduct(a, v1); c02 = c02.addingProduct(a, v2)
                a = V(repeating: pw[1])
                c10 = c10.addingProduct(a, v0); c11 = c11.addingProduct(a, v1); c12 = c12.addingProduct(a, v2)
                a = V(repeating: pw[2])
                c20 = c20.addingProduct(a, v0); c21 = c21.addingProduct(a, v1); c22 = c22.addingProduct(a, v2)
                a = V(repeating: pw[3])
                c30 = c30.addingProduct(a, v0); c31 = c31.addingProduct(a, v1); c32 = c32.addingProduct(a, v2)
                pw += 4
            }
        case 2:
            for k in 0..<count {
                let o = offsets[k] * MemoryLayout<Float>.stride
                let v0 = r0.loadUnaligned(fromByteOffset: o, as: V.self), v1 = r1.loadUnaligned(fromByteOffset: o, as: V.self)
                var a = V(repeating: pw[0])
                c00 = c00.addingProduct(a, v0); c01 = c01.addingProduct(a, v1)
                a = V(repeating: pw[1])
                c10 = c10.addingProduct(a, v0); c11 = c11.addingProduct(a, v1)
                a = V(repeating: pw[2])
                c20 = c20.addingProduct(a, v0); c21 = c21.addingProduct(a, v1)
                a = V(repeating: pw[3])
                c30 = c30.addingProduct(a, v0); c31 = c31.addingProduct(a, v1)
                pw += 4
            }
        default:
            for k in 0..<count {
                let v0 = r0.loadUnaligned(fromByteOffset: offsets[k] * MemoryLayout<Float>.stride, as: V.self)
                c00 = c00.addingProduct(V(repeating: pw[0]), v0)
                c10 = c10.addingProduct(V(repeating: pw[1]), v0)
                c20 = c20.addingProduct(V(repeating: pw[2]), v0)
                c30 = c30.addingProduct(V(repeating: pw[3]), v0)
                pw += 4
            }
        }
        let rowBytes = ldc * MemoryLayout<Float>.stride
        @inline(__always) func finish(_ c: V, _ row: Int, _ d: UnsafeMutablePointer<Float>) {
            guard row < rows else { return }
            var v = c
            if let bias { v += V(repeating: bias[row]) }
            if relu { v.replace(with: V(), where: v .< V()) }
            UnsafeMutableRawPointer(d).storeBytes(of: v, toByteOffset: row * rowBytes, as: V.self)
        }
        finish(c00, 0, d0); finish(c10, 1, d0); finish(c20, 2, d0); finish(c30, 3, d0)
        if pieces > 1 { finish(c01, 0, d1); finish(c11, 1, d1); finish(c21, 2, d1); finish(c31, 3, d1) }
        if pieces > 2 { finish(c02, 0, d2); finish(c12, 1, d2); finish(c22, 2, d2); finish(c32, 3, d2) }
        if pieces > 3 { finish(c03, 0, d3); finish(c13, 1, d3); finish(c23, 2, d3); finish(c33, 3, d3) }
    }

    /// Output rows of 8 taken two at a time: for `r < 4` and each of the first `pairs` (1–4)
    /// pairs `j`, rows `2j` and `2j + 1` of the tile (input rows `width` floats apart from `x`,
    /// output rows 8 floats apart from `d`) as the two halves of one 16-lane accumulator. Each
    /// element is the fused sum of ``kernel4xPieces(_:_:_:_:_:_:_:_:_:_:_:_:_:_:rows:relu:)``;
    /// `lastRows` (1 or 2) rows of the last pair are stored, and the first `rows` channels.
    public static func kernel4xRowPairs(
        _ pairs: Int, _ count: Int, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ width: Int,
        _ offsets: UnsafePointer<Int>, _ bias: UnsafePointer<Float>?,
        _ d: UnsafeMutablePointer<Float>, _ ldc: Int, rows: Int, lastRows: Int, relu: Bool
    ) {
        typealias V = SIMD16<Float>
        typealias H = SIMD8<Float>
        let base = UnsafeRawPointer(x)
        let rowBytes = width * MemoryLayout<Float>.stride
        // Input row of each half: a last pair with one row reads that row twice.
        func row(_ j: Int, _ half: Int) -> Int { j < pairs - 1 || lastRows == 2 ? 2 * j + half : 2 * j }
        let a0 = row(0, 0) * rowBytes, b0 = row(0, 1) * rowBytes, a1 = row(min(1, pairs - 1), 0) * rowBytes, b1 = row(min(1, pairs - 1), 1) * rowBytes
        let a2 = row(min(2, pairs - 1), 0) * rowBytes, b2 = row(min(2, pairs - 1), 1) * rowBytes
        let a3 = row(min(3, pairs - 1), 0) * rowBytes, b3 = row(min(3, pairs - 1), 1) * rowBytes
        @inline(__always) func load(_ p: UnsafeRawPointer, _ lo: Int, _ hi: Int) -> V {
            V(lowHalf: p.loadUnaligned(fromByteOffset: lo, as: H.self), highHalf: p.loadUnaligned(fromByteOffset: hi, as: H.self))
        }
        var pw = w
        var tile = Tile()
        for k in 0..<count {
            let p = base + offsets[k] * MemoryLayout<Float>.stride
            tile.add(pw, load(p, a0, b0), load(p, a1, b1), load(p, a2, b2), load(p, a3, b3))
            pw += 4
        }
        let planeBytes = ldc * MemoryLayout<Float>.stride
        let out = UnsafeMutableRawPointer(d)
        @inline(__always) func finish(_ c: V, _ channel: Int, _ j: Int) {
            guard channel < rows, j < pairs else { return }
            var v = c
            if let bias { v += V(repeating: bias[channel]) }
            if relu { v.replace(with: V(), where: v .< V()) }
            let at = channel * planeBytes + 2 * j * 32
            out.storeBytes(of: v.lowHalf, toByteOffset: at, as: H.self)
            if j < pairs - 1 || lastRows == 2 { out.storeBytes(of: v.highHalf, toByteOffset: at + 32, as: H.self) }
        }
        finish(tile.c00, 0, 0); finish(tile.c01, 0, 1); finish(tile.c02, 0, 2); finish(tile.c03, 0, 3)
        finish(tile.c10, 1, 0); finish(tile.c11, 1, 1); finish(tile.c12, 1, 2); finish(tile.c13, 1, 3)
        finish(tile.c20, 2, 0); finish(tile.c21, 2, 1); finish(tile.c22, 2, 2); finish(tile.c23, 2, 3)
        finish(tile.c30, 3, 0); finish(tile.c31, 3, 1); finish(tile.c32, 3, 2); finish(tile.c33, 3, 3)
    }
}
