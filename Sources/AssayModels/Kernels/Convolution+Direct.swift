extension Convolution {
    /// Whether ``applyDirect(_:_:_:bias:images:output:)`` handles this geometry: stride 1
    /// across, and a padded copy of one image's group of at most 2²⁶ floats (huge pads with
    /// huge strides take the im2col path, whose buffer is bounded by the output size).
    var supportsDirect: Bool {
        guard geometry.strideX == 1, inputChannels > 0 else { return false }
        let layout = paddedLayout
        let (plane, o1) = layout.height.multipliedReportingOverflow(by: layout.width)
        let (total, o2) = plane.multipliedReportingOverflow(by: inputChannels / groups)
        return !o1 && !o2 && total <= 1 << 26
    }

    /// The layout the direct kernel reads: each image copied into zero-padded planes, wide
    /// enough that every 8-pixel panel of an output row reads inside the buffer.
    struct PaddedLayout {
        let height: Int
        let width: Int
        var plane: Int { height * width }
    }

    var paddedLayout: PaddedLayout {
        let g = geometry
        let panels = (g.outputX + 7) / 8 * 8
        let width = max(g.inputX + g.padLeft + g.padRight, panels + (g.kernelX - 1) * g.dilationX)
        let height = max(g.inputY + g.padTop + g.padBottom, (g.outputY - 1) * g.strideY + (g.kernelY - 1) * g.dilationY + 1)
        return PaddedLayout(height: height, width: width)
    }

    /// The weights of each group repacked for ``kernel6x8Taps``: for each tile of 6 output
    /// channels, `K × 6` values (tap-major), zero rows past the group's channels.
    func packedWeights(_ w: UnsafePointer<Float>) -> [Float] {
        let g = geometry
        let mg = outputChannels / groups, kg = inputChannels / groups * g.kernelY * g.kernelX
        let tiles = (mg + 5) / 6
        return [Float].filled(count: groups * tiles * kg * 6) { p in
            for group in 0..<groups {
                for t in 0..<tiles {
                    let dst = p + (group * tiles + t) * kg * 6
                    for k in 0..<kg {
                        for r in 0..<6 {
                            let m = t * 6 + r
                            dst[k * 6 + r] = m < mg ? w[(group * mg + m) * kg + k] : 0
                        }
                    }
                }
            }
        }
    }

    /// Offset of each tap `(c, ky, kx)` of a group in the padded planes, in tap order.
    func tapOffsets(_ layout: PaddedLayout) -> [Int] {
        let g = geometry
        var offsets: [Int] = []
        offsets.reserveCapacity(inputChannels / groups * g.kernelY * g.kernelX)
        for c in 0..<(inputChannels / groups) {
            for ky in 0..<g.kernelY {
                for kx in 0..<g.kernelX {
                    offsets.append(c * layout.plane + ky * g.dilationY * layout.width + kx * g.dilationX)
                }
            }
        }
        return offsets
    }

    /// Copies image planes into the zero-padded layout (`padded` holds `channels` planes).
    func pad(_ planes: UnsafePointer<Float>, _ channels: Int, _ layout: PaddedLayout, into padded: UnsafeMutablePointer<Float>) {
        let g = geometry
        padded.update(repeating: 0, count: channels * layout.plane)
        for c in 0..<channels {
            let src = planes + c * g.inputY * g.inputX
            let dst = padded + c * layout.plane + g.padTop * layout.width + g.padLeft
            for iy in 0..<g.inputY {
                let s = src + iy * g.inputX, d = dst + iy * layout.width
                for ix in 0..<g.inputX { d[ix] = s[ix] }
            }
        }
    }

    /// The biases laid out like ``packedWeights(_:)``: 6 per tile, zeros past the group's channels.
    func packedBias(_ b: UnsafePointer<Float>) -> [Float] {
        let mg = outputChannels / groups, tiles = (mg + 5) / 6
        return [Float].filled(count: groups * tiles * 6) { p in
            for group in 0..<groups {
                for i in 0..<(tiles * 6) { p[group * tiles * 6 + i] = i < mg ? b[group * mg + i] : 0 }
            }
        }
    }

    /// The convolution of `images` with the direct kernel: every output element is the same
    /// sum, in the same tap order, as the im2col product (padding taps are zeros in the padded
    /// copy), plus the bias. `bias` is ``packedBias(_:)``.
    func applyDirect(
        _ x: UnsafePointer<Float>, _ packed: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
        bias: UnsafePointer<Float>?, images: Range<Int>, output y: UnsafeMutablePointer<Float>
    ) {
        let g = geometry, layout = paddedLayout
        let cg = inputChannels / groups, mg = outputChannels / groups
        let kg = cg * g.kernelY * g.kernelX, tiles = (mg + 5) / 6
        let inPlane = g.inputY * g.inputX, outPlane = g.outputY * g.outputX
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: cg * layout.plane + 8)
        defer { padded.deallocate() }
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: 48)
        defer { tile.deallocate() }
        for n in images {
            for group in 0..<groups {
                pad(x + (n * inputChannels + group * cg) * inPlane, cg, layout, into: padded)
                let outBase = y + (n * outputChannels + group * mg) * outPlane
                for t in 0..<tiles {
                    let rows = min(6, mg - t * 6)
                    let w = packed + (group * tiles + t) * kg * 6
                    let biases = bias.map { $0 + (group * tiles + t) * 6 }
                    for oy in 0..<g.outputY {
                        let rowBase = padded + oy * g.strideY * layout.width
                        var ox = 0
                        while ox < g.outputX {
                            let cols = min(8, g.outputX - ox)
                            let c = outBase + t * 6 * outPlane + oy * g.outputX + ox
                            if cols == 8 {
                                Self.kernel6x8Taps(kg, w, rowBase + ox, offsets, biases, c, outPlane, rows: rows)
                            } else {
                                Self.kernel6x8Taps(kg, w, rowBase + ox, offsets, biases, tile, 8, rows: 6)
                                for r in 0..<rows {
                                    for j in 0..<cols { c[r * outPlane + j] = tile[r * 8 + j] }
                                }
                            }
                            ox += 8
                        }
                    }
                }
            }
        }
    }

    /// `C[r, 0..<8] = (Σ_k w[k·6 + r] · b[offsets[k] ..< offsets[k] + 8]) + bias[r]` for
    /// `r < 6`, the sum from +0 in increasing `k`, one multiply and one add per term and lane;
    /// row `r` of `C` at `c + r·ldc`, only the first `rows` rows stored.
    @inline(__always)
    static func kernel6x8Taps(
        _ count: Int, _ w: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
        _ bias: UnsafePointer<Float>?, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, rows: Int
    ) {
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>()
        var c3 = SIMD8<Float>(), c4 = SIMD8<Float>(), c5 = SIMD8<Float>()
        var pw = w
        for k in 0..<count {
            let bv = UnsafeRawPointer(b + offsets[k]).loadUnaligned(as: SIMD8<Float>.self)
            c0 += SIMD8<Float>(repeating: pw[0]) * bv
            c1 += SIMD8<Float>(repeating: pw[1]) * bv
            c2 += SIMD8<Float>(repeating: pw[2]) * bv
            c3 += SIMD8<Float>(repeating: pw[3]) * bv
            c4 += SIMD8<Float>(repeating: pw[4]) * bv
            c5 += SIMD8<Float>(repeating: pw[5]) * bv
            pw += 6
        }
        if let bias {
            c0 += SIMD8<Float>(repeating: bias[0])
            c1 += SIMD8<Float>(repeating: bias[1])
            c2 += SIMD8<Float>(repeating: bias[2])
            c3 += SIMD8<Float>(repeating: bias[3])
            c4 += SIMD8<Float>(repeating: bias[4])
            c5 += SIMD8<Float>(repeating: bias[5])
        }
        let cr = UnsafeMutableRawPointer(c), rowBytes = ldc * MemoryLayout<Float>.stride
        cr.storeBytes(of: c0, as: SIMD8<Float>.self)
        if rows > 1 { cr.storeBytes(of: c1, toByteOffset: rowBytes, as: SIMD8<Float>.self) }
        if rows > 2 { cr.storeBytes(of: c2, toByteOffset: 2 * rowBytes, as: SIMD8<Float>.self) }
        if rows > 3 { cr.storeBytes(of: c3, toByteOffset: 3 * rowBytes, as: SIMD8<Float>.self) }
        if rows > 4 { cr.storeBytes(of: c4, toByteOffset: 4 * rowBytes, as: SIMD8<Float>.self) }
        if rows > 5 { cr.storeBytes(of: c5, toByteOffset: 5 * rowBytes, as: SIMD8<Float>.self) }
    }
}
