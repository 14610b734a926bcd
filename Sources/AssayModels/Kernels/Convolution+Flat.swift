extension Convolution {
    /// Whether the flat kernel runs: built for a CPU with 512-bit vectors (Package.swift defines
    /// `ASSAY_WIDE_VECTORS` then), for convolutions of stride 1. It computes the same sums as
    /// ``applyDirect(_:_:_:_:bias:relu:images:output:)`` (so the bits do not depend on it); with
    /// 256-bit vectors its sixteen 16-lane accumulators would not fit in the registers.
    static var flatKernelEnabled: Bool {
        #if ASSAY_WIDE_VECTORS
        return true
        #else
        return false
        #endif
    }

    var usesFlatKernel: Bool {
        Self.flatKernelEnabled && geometry.strideX == 1 && geometry.strideY == 1
    }

    /// The direct convolution over the padded image read as one flat row: output position
    /// `p = oy·W + ox` (W the padded row width) reads tap `(c, ky, kx)` at `p + offset(c, ky, kx)`,
    /// so 16 consecutive positions — across output rows — are 16 contiguous floats of every tap.
    /// Positions with `ox ≥ outputX` fall in the padding columns; they are computed and dropped.
    /// Each kept element is the same fused sum in the same tap order, plus the bias, then the
    /// Relu, as in the row-segment kernel.
    func applyDirectFlat(
        _ x: UnsafePointer<Float>, _ packed: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
        bias: UnsafePointer<Float>?, relu: Bool, images: Range<Int>, output y: UnsafeMutablePointer<Float>
    ) {
        let g = geometry, layout = paddedLayout, r = Self.directTileRows
        let cg = inputChannels / groups, mg = outputChannels / groups
        let kg = cg * g.kernelY * g.kernelX, tiles = (mg + r - 1) / r
        let inPlane = g.inputY * g.inputX, outPlane = g.outputY * g.outputX
        let width = layout.width
        let vectors = (g.outputY * width + 15) / 16
        let flat = vectors * 16
        var reach = 0
        for k in 0..<kg { reach = max(reach, offsets[k]) }
        let capacity = max(cg * layout.plane, flat + reach) + 16
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        padded.initialize(repeating: 0, count: capacity)
        defer { padded.deallocate() }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: r * flat)
        defer { scratch.deallocate() }
        // Rows of a multiple of 16 outputs are cut into 16-output pieces stored in place (no
        // padding columns computed, no copy); other widths use the flat positions.
        let pieces = g.outputX % 16 == 0 ? g.outputX / 16 : 0
        let pieceCount = pieces * g.outputY
        for n in images {
            for group in 0..<groups {
                pad(x + (n * inputChannels + group * cg) * inPlane, cg, layout, into: padded)
                let outBase = y + (n * outputChannels + group * mg) * outPlane
                for t in 0..<tiles {
                    let rows = min(r, mg - t * r)
                    let w = packed + (group * tiles + t) * kg * r
                    let biases = bias.map { $0 + (group * tiles + t) * r }
                    if pieces > 0 {
                        let out = outBase + t * r * outPlane
                        var i = 0
                        while i < pieceCount {
                            let run = min(4, pieceCount - i)
                            func input(_ j: Int) -> UnsafePointer<Float> {
                                let q = i + min(j, run - 1)
                                return UnsafePointer(padded) + (q / pieces) * width + (q % pieces) * 16
                            }
                            func output(_ j: Int) -> UnsafeMutablePointer<Float> {
                                let q = i + min(j, run - 1)
                                return out + (q / pieces) * g.outputX + (q % pieces) * 16
                            }
                            if run == 4 {
                                Self.kernel4x4Pieces(kg, w, input(0), input(1), input(2), input(3), offsets, biases,
                                                     output(0), output(1), output(2), output(3), outPlane, rows: rows, relu: relu)
                            } else {
                                for j in 0..<run {
                                    Self.kernel4xFlat(1, kg, w, input(j), offsets, biases, scratch, 16, relu: relu)
                                    for row in 0..<rows { Self.copyRow(scratch + row * 16, output(j) + row * outPlane, 16) }
                                }
                            }
                            i += run
                        }
                        continue
                    }
                    var v = 0
                    while v < vectors {
                        let run = min(4, vectors - v)
                        if run == 4 {
                            Self.kernel4x64(kg, w, padded + v * 16, offsets, biases, scratch + v * 16, flat, relu: relu)
                        } else {
                            Self.kernel4xFlat(run, kg, w, padded + v * 16, offsets, biases, scratch + v * 16, flat, relu: relu)
                        }
                        v += run
                    }
                    let out = outBase + t * r * outPlane
                    for row in 0..<rows {
                        for oy in 0..<g.outputY {
                            Self.copyRow(scratch + row * flat + oy * width, out + row * outPlane + oy * g.outputX, g.outputX)
                        }
                    }
                }
            }
        }
    }

    /// Copies `count` floats with vector moves (rows here are a few dozen floats, where a
    /// `memmove` call costs more than the copy).
    @inline(__always)
    static func copyRow(_ from: UnsafePointer<Float>, _ to: UnsafeMutablePointer<Float>, _ count: Int) {
        let src = UnsafeRawPointer(from), dst = UnsafeMutableRawPointer(to)
        var i = 0
        while i + 16 <= count {
            dst.storeBytes(of: src.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self), toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        if i + 8 <= count {
            dst.storeBytes(of: src.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count { to[i] = from[i]; i += 1 }
    }

    /// For `r < 4` and each of the first `vectors` (1–4) blocks `j` of 16 positions:
    /// `D[r·ldc + 16j ..< r·ldc + 16j + 16] = relu?((Σ_k fma over w[k·4 + r] · x[offsets[k] + 16j ..< … + 16]) + bias[r])`,
    /// the fused sum from +0 in increasing `k`. Up to sixteen 16-lane accumulators; per tap up to
    /// four loads, four broadcasts and sixteen fused multiply–adds.
    @inline(__always)
    static func kernel4xFlat(
        _ vectors: Int, _ count: Int, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
        _ bias: UnsafePointer<Float>?, _ d: UnsafeMutablePointer<Float>, _ ldc: Int, relu: Bool
    ) {
        typealias V = SIMD16<Float>
        var c00 = V(), c01 = V(), c02 = V(), c03 = V()
        var c10 = V(), c11 = V(), c12 = V(), c13 = V()
        var c20 = V(), c21 = V(), c22 = V(), c23 = V()
        var c30 = V(), c31 = V(), c32 = V(), c33 = V()
        let base = UnsafeRawPointer(x)
        var pw = w
        switch vectors {
        case 4:
            for k in 0..<count {
                let p = base + offsets[k] * MemoryLayout<Float>.stride
                let v0 = p.loadUnaligned(as: V.self), v1 = p.loadUnaligned(fromByteOffset: 64, as: V.self)
                let v2 = p.loadUnaligned(fromByteOffset: 128, as: V.self), v3 = p.loadUnaligned(fromByteOffset: 192, as: V.self)
                var a = V(repeating: pw[0])
                c00 = c00.addingProduct(a, v0); c01 = c01.addingProduct(a, v1); c02 = c02.addingProduct(a, v2); c03 = c03.addingProduct(a, v3)
                a = V(repeating: pw[1])
                c10 = c10.addingProduct(a, v0); c11 = c11.addingProduct(a, v1); c12 = c12.addingProduct(a, v2); c13 = c13.addingProduct(a, v3)
                a = V(repeating: pw[2])
                c20 = c20.addingProduct(a, v0); c21 = c21.addingProduct(a, v1); c22 = c22.addingProduct(a, v2); c23 = c23.addingProduct(a, v3)
                a = V(repeating: pw[3])
                c30 = c30.addingProduct(a, v0); c31 = c31.addingProduct(a, v1); c32 = c32.addingProduct(a, v2); c33 = c33.addingProduct(a, v3)
                pw += 4
            }
        case 3:
            for k in 0..<count {
                let p = base + offsets[k] * MemoryLayout<Float>.stride
                let v0 = p.loadUnaligned(as: V.self), v1 = p.loadUnaligned(fromByteOffset: 64, as: V.self)
                let v2 = p.loadUnaligned(fromByteOffset: 128, as: V.self)
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
                let p = base + offsets[k] * MemoryLayout<Float>.stride
                let v0 = p.loadUnaligned(as: V.self), v1 = p.loadUnaligned(fromByteOffset: 64, as: V.self)
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
                let v0 = (base + offsets[k] * MemoryLayout<Float>.stride).loadUnaligned(as: V.self)
                c00 = c00.addingProduct(V(repeating: pw[0]), v0)
                c10 = c10.addingProduct(V(repeating: pw[1]), v0)
                c20 = c20.addingProduct(V(repeating: pw[2]), v0)
                c30 = c30.addingProduct(V(repeating: pw[3]), v0)
                pw += 4
            }
        }
        let rowBytes = ldc * MemoryLayout<Float>.stride
        let out = UnsafeMutableRawPointer(d)
        @inline(__always) func finish(_ c: V, _ row: Int, _ column: Int) {
            var v = c
            if let bias { v += V(repeating: bias[row]) }
            // The Relu kernel's `y < 0 ? 0 : y` per lane (NaN and −0 pass through).
            if relu { v.replace(with: V(), where: v .< V()) }
            out.storeBytes(of: v, toByteOffset: row * rowBytes + column * 64, as: V.self)
        }
        finish(c00, 0, 0); finish(c10, 1, 0); finish(c20, 2, 0); finish(c30, 3, 0)
        if vectors > 1 { finish(c01, 0, 1); finish(c11, 1, 1); finish(c21, 2, 1); finish(c31, 3, 1) }
        if vectors > 2 { finish(c02, 0, 2); finish(c12, 1, 2); finish(c22, 2, 2); finish(c32, 3, 2) }
        if vectors > 3 { finish(c03, 0, 3); finish(c13, 1, 3); finish(c23, 2, 3); finish(c33, 3, 3) }
    }

    /// `D[r·ldc ..< r·ldc + 64] = relu?((Σ_k fma over w[k·4 + r] · x[offsets[k] ..< offsets[k] + 64]) + bias[r])`
    /// for `r < 4`: ``kernel4xFlat(_:_:_:_:_:_:_:_:relu:)`` for four blocks, written out so that
    /// its sixteen accumulators stay in registers.
    @inline(__always)
    static func kernel4x64(
        _ count: Int, _ w: UnsafePointer<Float>, _ x: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
        _ bias: UnsafePointer<Float>?, _ d: UnsafeMutablePointer<Float>, _ ldc: Int, relu: Bool
    ) {
        typealias V = SIMD16<Float>
        var c00 = V(), c01 = V(), c02 = V(), c03 = V()
        var c10 = V(), c11 = V(), c12 = V(), c13 = V()
        var c20 = V(), c21 = V(), c22 = V(), c23 = V()
        var c30 = V(), c31 = V(), c32 = V(), c33 = V()
        let base = UnsafeRawPointer(x)
        var pw = w
        for k in 0..<count {
            let p = base + offsets[k] * MemoryLayout<Float>.stride
            let v0 = p.loadUnaligned(as: V.self), v1 = p.loadUnaligned(fromByteOffset: 64, as: V.self)
            let v2 = p.loadUnaligned(fromByteOffset: 128, as: V.self), v3 = p.loadUnaligned(fromByteOffset: 192, as: V.self)
            var a = V(repeating: pw[0])
            c00 = c00.addingProduct(a, v0); c01 = c01.addingProduct(a, v1); c02 = c02.addingProduct(a, v2); c03 = c03.addingProduct(a, v3)
            a = V(repeating: pw[1])
            c10 = c10.addingProduct(a, v0); c11 = c11.addingProduct(a, v1); c12 = c12.addingProduct(a, v2); c13 = c13.addingProduct(a, v3)
            a = V(repeating: pw[2])
            c20 = c20.addingProduct(a, v0); c21 = c21.addingProduct(a, v1); c22 = c22.addingProduct(a, v2); c23 = c23.addingProduct(a, v3)
            a = V(repeating: pw[3])
            c30 = c30.addingProduct(a, v0); c31 = c31.addingProduct(a, v1); c32 = c32.addingProduct(a, v2); c33 = c33.addingProduct(a, v3)
            pw += 4
        }
        let rowBytes = ldc * MemoryLayout<Float>.stride
        let out = UnsafeMutableRawPointer(d)
        @inline(__always) func finish(_ c: V, _ row: Int, _ column: Int) {
            var v = c
            if let bias { v += V(repeating: bias[row]) }
            // The Relu kernel's `y < 0 ? 0 : y` per lane (NaN and −0 pass through).
            if relu { v.replace(with: V(), where: v .< V()) }
            out.storeBytes(of: v, toByteOffset: row * rowBytes + column * 64, as: V.self)
        }
        finish(c00, 0, 0); finish(c01, 0, 1); finish(c02, 0, 2); finish(c03, 0, 3)
        finish(c10, 1, 0); finish(c11, 1, 1); finish(c12, 1, 2); finish(c13, 1, 3)
        finish(c20, 2, 0); finish(c21, 2, 1); finish(c22, 2, 2); finish(c23, 2, 3)
        finish(c30, 3, 0); finish(c31, 3, 1); finish(c32, 3, 2); finish(c33, 3, 3)
    }

    /// Four pieces of 16 outputs, each read at its own place in the padded planes and stored at
    /// its own place in the output: the arithmetic of ``kernel4x64(_:_:_:_:_:_:_:relu:)``;
    /// only the first `rows` channels are stored.
    @inline(__always)
    static func kernel4x4Pieces(
        _ count: Int, _ w: UnsafePointer<Float>,
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
        for k in 0..<count {
            let o = offsets[k] * MemoryLayout<Float>.stride
            let v0 = r0.loadUnaligned(fromByteOffset: o, as: V.self), v1 = r1.loadUnaligned(fromByteOffset: o, as: V.self)
            let v2 = r2.loadUnaligned(fromByteOffset: o, as: V.self), v3 = r3.loadUnaligned(fromByteOffset: o, as: V.self)
            var a = V(repeating: pw[0])
            c00 = c00.addingProduct(a, v0); c01 = c01.addingProduct(a, v1); c02 = c02.addingProduct(a, v2); c03 = c03.addingProduct(a, v3)
            a = V(repeating: pw[1])
            c10 = c10.addingProduct(a, v0); c11 = c11.addingProduct(a, v1); c12 = c12.addingProduct(a, v2); c13 = c13.addingProduct(a, v3)
            a = V(repeating: pw[2])
            c20 = c20.addingProduct(a, v0); c21 = c21.addingProduct(a, v1); c22 = c22.addingProduct(a, v2); c23 = c23.addingProduct(a, v3)
            a = V(repeating: pw[3])
            c30 = c30.addingProduct(a, v0); c31 = c31.addingProduct(a, v1); c32 = c32.addingProduct(a, v2); c33 = c33.addingProduct(a, v3)
            pw += 4
        }
        let rowBytes = ldc * MemoryLayout<Float>.stride
        @inline(__always) func finish(_ c: V, _ row: Int, _ d: UnsafeMutablePointer<Float>) {
            guard row < rows else { return }
            var v = c
            if let bias { v += V(repeating: bias[row]) }
            // The Relu kernel's `y < 0 ? 0 : y` per lane (NaN and −0 pass through).
            if relu { v.replace(with: V(), where: v .< V()) }
            UnsafeMutableRawPointer(d).storeBytes(of: v, toByteOffset: row * rowBytes, as: V.self)
        }
        finish(c00, 0, d0); finish(c01, 0, d1); finish(c02, 0, d2); finish(c03, 0, d3)
        finish(c10, 1, d0); finish(c11, 1, d1); finish(c12, 1, d2); finish(c13, 1, d3)
        finish(c20, 2, d0); finish(c21, 2, d1); finish(c22, 2, d2); finish(c23, 2, d3)
        finish(c30, 3, d0); finish(c31, 3, d1); finish(c32, 3, d2); finish(c33, 3, d3)
    }
}
