import AssayWideKernels

extension Convolution {
    /// Whether the flat kernel runs: on a CPU with 512-bit vectors (Package.swift then defines
    /// `ASSAY_WIDE_VECTORS` and builds `AssayWideKernels` for AVX-512), for convolutions of
    /// stride 1. It computes the same sums as
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
        let cg = inputChannels / groups, kg = cg * g.kernelY * g.kernelX
        let outPlane = g.outputY * g.outputX, width = layout.width
        // Rows of a multiple of 16 outputs are cut into 16-output pieces read and stored in place
        // (no padding columns computed, no copy); other widths run over the flat positions
        // `oy·width + ox` into a scratch tile, whose kept columns are then copied.
        let perRow = g.outputX % 16 == 0 ? g.outputX / 16 : 0
        let flat = perRow > 0 ? 0 : (g.outputY * width + 15) / 16 * 16
        let pieceCount = perRow > 0 ? perRow * g.outputY : flat / 16
        var reach = 0
        for k in 0..<kg { reach = max(reach, offsets[k]) }
        let capacity = max(cg * layout.plane, pieceCount * 16 + reach) + 16
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: capacity)
        // `pad` writes every float of the planes; only the slack after them is zeroed here (the
        // last flat positions read into it).
        (padded + cg * layout.plane).initialize(repeating: 0, count: capacity - cg * layout.plane)
        defer { padded.deallocate() }
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: r * max(flat, 1))
        defer { scratch.deallocate() }
        if g.outputX == 8 {
            // Rows of 8 outputs: two rows per 16-lane accumulator, stored in place.
            forEachTile(x, packed, bias: bias, images: images, output: y, padded: padded, layout: layout) { rows, w, biases, out in
                var oy = 0
                while oy < g.outputY {
                    let pairs = min(4, (g.outputY - oy + 1) / 2)
                    let lastRows = min(2, g.outputY - oy - 2 * (pairs - 1))
                    WideConvolutionKernels.kernel4xRowPairs(pairs, kg, w, UnsafePointer(padded) + oy * width, width, offsets, biases,
                                                            out + oy * 8, outPlane, rows: rows, lastRows: lastRows, relu: relu)
                    oy += 2 * pairs
                }
            }
            return
        }
        forEachTile(x, packed, bias: bias, images: images, output: y, padded: padded, layout: layout) { rows, w, biases, out in
            var i = 0
            while i < pieceCount {
                let run = min(4, pieceCount - i)
                func input(_ j: Int) -> UnsafePointer<Float> {
                    let q = i + min(j, run - 1)
                    return UnsafePointer(padded) + (perRow > 0 ? (q / perRow) * width + (q % perRow) * 16 : q * 16)
                }
                func output(_ j: Int) -> UnsafeMutablePointer<Float> {
                    let q = i + min(j, run - 1)
                    return perRow > 0 ? out + (q / perRow) * g.outputX + (q % perRow) * 16 : scratch + q * 16
                }
                WideConvolutionKernels.kernel4xPieces(run, kg, w, input(0), input(1), input(2), input(3), offsets, biases,
                                                      output(0), output(1), output(2), output(3), perRow > 0 ? outPlane : flat,
                                                      rows: perRow > 0 ? rows : r, relu: relu)
                i += run
            }
            if perRow == 0 {
                for row in 0..<rows {
                    for oy in 0..<g.outputY {
                        Self.copyRow(scratch + row * flat + oy * width, out + row * outPlane + oy * g.outputX, g.outputX)
                    }
                }
            }
        }
    }

    /// Writes `count` zeros with vector stores (the padding rows here are a few dozen floats,
    /// where a `memset` call costs more than the stores).
    @inline(__always)
    static func zeroFill(_ to: UnsafeMutablePointer<Float>, _ count: Int) {
        let dst = UnsafeMutableRawPointer(to)
        var i = 0
        while i + 16 <= count {
            dst.storeBytes(of: SIMD16<Float>(), toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < count { to[i] = 0; i += 1 }
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
}
