extension Convolution {
    /// Whether ``applyDirect(_:_:_:_:bias:relu:images:output:)`` handles this geometry: a stride
    /// across of at most 4, and a padded copy of one image's group of at most 2²⁶ floats (huge
    /// pads with huge strides take the im2col path, whose buffer is bounded by the output size).
    var supportsDirect: Bool {
        guard geometry.strideX <= 4, inputChannels > 0 else { return false }
        let layout = paddedLayout
        let (plane, o1) = layout.height.multipliedReportingOverflow(by: layout.width)
        let (phases, o2) = plane.multipliedReportingOverflow(by: layout.phases)
        let (total, o3) = phases.multipliedReportingOverflow(by: inputChannels / groups)
        return !o1 && !o2 && !o3 && total <= 1 << 26
    }

    /// The layout the direct kernel reads: each image copied into zero-padded planes, split by
    /// column into `phases` = stride-across planes (column `x` of the padded image goes to
    /// phase `x mod s`, column `x / s`), so that the taps of eight neighbouring output pixels
    /// are eight contiguous floats for any stride. Each phase row is wide enough that every
    /// 8-pixel segment of an output row reads inside it.
    struct PaddedLayout {
        /// Rows of the padded image.
        let height: Int
        /// Floats per row of one phase.
        let width: Int
        /// The stride across.
        let phases: Int
        /// Floats per phase plane.
        var phasePlane: Int { height * width }
        /// Floats per channel.
        var plane: Int { phases * height * width }
    }

    var paddedLayout: PaddedLayout {
        let g = geometry, s = g.strideX
        let panels = (g.outputX + 7) / 8 * 8
        let padded = g.inputX + g.padLeft + g.padRight
        let width = max((padded + s - 1) / s, panels + (g.kernelX - 1) * g.dilationX / s)
        let height = max(g.inputY + g.padTop + g.padBottom, (g.outputY - 1) * g.strideY + (g.kernelY - 1) * g.dilationY + 1)
        return PaddedLayout(height: height, width: width, phases: s)
    }

    /// Output channels per register tile of the direct kernel.
    static let directTileRows = 4

    /// The weights of each group repacked for ``kernel4xTaps(_:_:_:_:_:_:_:_:_:_:_:_:rows:)``:
    /// for each tile of 4 output channels, `K × 4` values (tap-major), zero rows past the
    /// group's channels. Depends on the weights and the channel counts only, so a prepared
    /// Conv node packs them once per session.
    func packedWeights(_ w: UnsafePointer<Float>) -> [Float] {
        let g = geometry, r = Self.directTileRows
        let mg = outputChannels / groups, kg = inputChannels / groups * g.kernelY * g.kernelX
        let tiles = (mg + r - 1) / r
        return [Float].filled(count: groups * tiles * kg * r) { p in
            for group in 0..<groups {
                for t in 0..<tiles {
                    let dst = p + (group * tiles + t) * kg * r
                    for row in 0..<r {
                        let m = t * r + row
                        if m < mg {
                            let src = w + (group * mg + m) * kg
                            for k in 0..<kg { dst[k * r + row] = src[k] }
                        } else {
                            for k in 0..<kg { dst[k * r + row] = 0 }
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
                    let column = kx * g.dilationX
                    offsets.append(c * layout.plane + column % layout.phases * layout.phasePlane
                                   + ky * g.dilationY * layout.width + column / layout.phases)
                }
            }
        }
        return offsets
    }

    /// Copies image planes into the zero-padded, phase-split layout (`padded` holds `channels`
    /// planes).
    func pad(_ planes: UnsafePointer<Float>, _ channels: Int, _ layout: PaddedLayout, into padded: UnsafeMutablePointer<Float>) {
        let g = geometry
        let phases = layout.phases
        if phases == 1 {
            // Zeros only where the image does not land: the rows above and below, and each
            // image row's margins.
            let width = layout.width, right = g.padLeft + g.inputX
            for c in 0..<channels {
                let src = planes + c * g.inputY * g.inputX
                let plane = padded + c * layout.plane
                Self.zeroFill(plane, g.padTop * width)
                for iy in 0..<g.inputY {
                    let row = plane + (g.padTop + iy) * width
                    for i in 0..<g.padLeft { row[i] = 0 }
                    Self.copyRow(src + iy * g.inputX, row + g.padLeft, g.inputX)
                    for i in right..<width { row[i] = 0 }
                }
                let below = g.padTop + g.inputY
                Self.zeroFill(plane + below * width, (layout.height - below) * width)
            }
            return
        }
        padded.update(repeating: 0, count: channels * layout.plane)
        for c in 0..<channels {
            let src = planes + c * g.inputY * g.inputX
            let dst = padded + c * layout.plane + g.padTop * layout.width
            for iy in 0..<g.inputY {
                let s = src + iy * g.inputX, d = dst + iy * layout.width
                if phases == 2 {
                    // Sixteen columns at a time: the even ones go to one phase, the odd ones to
                    // the other, eight contiguous floats each.
                    var ix = 0
                    while ix + 16 <= g.inputX {
                        let v = UnsafeRawPointer(s + ix).loadUnaligned(as: SIMD16<Float>.self)
                        let x0 = ix &+ g.padLeft, x1 = x0 &+ 1
                        UnsafeMutableRawPointer(d + (x0 & 1) * layout.phasePlane + (x0 >> 1)).storeBytes(of: v.evenHalf, as: SIMD8<Float>.self)
                        UnsafeMutableRawPointer(d + (x1 & 1) * layout.phasePlane + (x1 >> 1)).storeBytes(of: v.oddHalf, as: SIMD8<Float>.self)
                        ix &+= 16
                    }
                    while ix < g.inputX {
                        let x = ix &+ g.padLeft
                        d[(x & 1) * layout.phasePlane + (x >> 1)] = s[ix]
                        ix &+= 1
                    }
                    continue
                }
                // Column x = ix + left goes to phase x mod s, position x / s: position j of
                // phase p holds column ix = j·s + p − left.
                for phase in 0..<phases {
                    let target = d + phase * layout.phasePlane
                    var j = max(0, (g.padLeft - phase + phases - 1) / phases)
                    var ix = j * phases + phase - g.padLeft
                    while ix < g.inputX {
                        target[j] = s[ix]
                        j += 1
                        ix += phases
                    }
                }
            }
        }
    }

    /// The biases laid out like ``packedWeights(_:)``: 4 per tile, zeros past the group's channels.
    func packedBias(_ b: UnsafePointer<Float>) -> [Float] {
        let r = Self.directTileRows
        let mg = outputChannels / groups, tiles = (mg + r - 1) / r
        return [Float].filled(count: groups * tiles * r) { p in
            for group in 0..<groups {
                for i in 0..<(tiles * r) { p[group * tiles * r + i] = i < mg ? b[group * mg + i] : 0 }
            }
        }
    }

    /// An 8-pixel piece of an output row: where it goes in the output plane, where its first
    /// tap reads in the padded planes, and how many of its 8 pixels are in the image.
    struct Segment {
        let output: Int
        let input: Int
        let count: Int
    }

    /// The output rows cut into 8-pixel segments, row by row.
    func segments(_ layout: PaddedLayout) -> [Segment] {
        let g = geometry
        var list: [Segment] = []
        list.reserveCapacity(g.outputY * ((g.outputX + 7) / 8))
        for oy in 0..<g.outputY {
            var ox = 0
            while ox < g.outputX {
                list.append(Segment(output: oy * g.outputX + ox, input: oy * g.strideY * layout.width + ox,
                                    count: min(8, g.outputX - ox)))
                ox += 8
            }
        }
        return list
    }

    /// The convolution of `images` with the direct kernel: every output element is the same
    /// fused sum, in the same tap order, as the im2col product (padding taps are zeros in the
    /// padded copy), plus the bias. `packed` is ``packedWeights(_:)``, `bias`
    /// ``packedBias(_:)``; `offsets` and `segments` come from ``paddedLayout``.
    ///
    /// For each tile of 4 output channels, up to three full segments at a time go through the
    /// 4×24 register tile (twelve accumulators); a segment cut by the image's right edge is
    /// computed alone into a scratch tile and copied.
    func applyDirect(
        _ x: UnsafePointer<Float>, _ packed: UnsafePointer<Float>, _ offsets: UnsafePointer<Int>,
        _ segments: UnsafeBufferPointer<Segment>,
        bias: UnsafePointer<Float>?, relu: Bool = false, images: Range<Int>, output y: UnsafeMutablePointer<Float>
    ) {
        if usesFlatKernel {
            applyDirectFlat(x, packed, offsets, bias: bias, relu: relu, images: images, output: y)
            return
        }
        let g = geometry, layout = paddedLayout, r = Self.directTileRows
        let cg = inputChannels / groups, mg = outputChannels / groups
        let kg = cg * g.kernelY * g.kernelX, tiles = (mg + r - 1) / r
        let inPlane = g.inputY * g.inputX, outPlane = g.outputY * g.outputX
        let padded = UnsafeMutablePointer<Float>.allocate(capacity: cg * layout.plane + 8)
        defer { padded.deallocate() }
        let tile = UnsafeMutablePointer<Float>.allocate(capacity: 8 * r)
        defer { tile.deallocate() }
        let segmentCount = segments.count
        forEachTile(x, packed, bias: bias, images: images, output: y, padded: padded, layout: layout) { rows, w, biases, out in
                    var s = 0
                    while s < segmentCount {
                        let s0 = segments[s]
                        if s0.count < 8 {
                            Self.kernel4xTaps(1, kg, w, padded + s0.input, padded, padded, offsets, biases,
                                              tile, tile, tile, 8, rows: r, relu: relu)
                            for row in 0..<rows {
                                for j in 0..<s0.count { out[row * outPlane + s0.output + j] = tile[row * 8 + j] }
                            }
                            s += 1
                            continue
                        }
                        var run = 1
                        while run < 3 && s + run < segmentCount && segments[s + run].count == 8 { run += 1 }
                        let s1 = segments[s + min(run - 1, 1)], s2 = segments[s + run - 1]
                        switch run {
                        case 3:
                            Self.kernel4xTaps(3, kg, w, padded + s0.input, padded + s1.input, padded + s2.input, offsets, biases,
                                              out + s0.output, out + s1.output, out + s2.output, outPlane, rows: rows, relu: relu)
                        case 2:
                            Self.kernel4xTaps(2, kg, w, padded + s0.input, padded + s1.input, padded, offsets, biases,
                                              out + s0.output, out + s1.output, out, outPlane, rows: rows, relu: relu)
                        default:
                            Self.kernel4xTaps(1, kg, w, padded + s0.input, padded, padded, offsets, biases,
                                              out + s0.output, out, out, outPlane, rows: rows, relu: relu)
                        }
                        s += run
                    }
        }
    }

    /// Pads each image's group of input channels into `padded`, then calls `body` for each tile
    /// of ``directTileRows`` output channels with the channels in the tile, the tile's packed
    /// weights and biases, and its first output element.
    @inline(__always)
    func forEachTile(
        _ x: UnsafePointer<Float>, _ packed: UnsafePointer<Float>, bias: UnsafePointer<Float>?, images: Range<Int>,
        output y: UnsafeMutablePointer<Float>, padded: UnsafeMutablePointer<Float>, layout: PaddedLayout,
        _ body: (_ rows: Int, _ w: UnsafePointer<Float>, _ biases: UnsafePointer<Float>?, _ out: UnsafeMutablePointer<Float>) -> Void
    ) {
        let g = geometry, r = Self.directTileRows
        let cg = inputChannels / groups, mg = outputChannels / groups
        let kg = cg * g.kernelY * g.kernelX, tiles = (mg + r - 1) / r
        let inPlane = g.inputY * g.inputX, outPlane = g.outputY * g.outputX
        for n in images {
            for group in 0..<groups {
                pad(x + (n * inputChannels + group * cg) * inPlane, cg, layout, into: padded)
                let outBase = y + (n * outputChannels + group * mg) * outPlane
                for t in 0..<tiles {
                    body(min(r, mg - t * r), packed + (group * tiles + t) * kg * r, bias.map { $0 + (group * tiles + t) * r },
                         outBase + t * r * outPlane)
                }
            }
        }
    }

    /// For `r < 4` and each of the first `vectors` (1–3) segments `v`:
    /// `D_v[r·ldc ..< r·ldc + 8] = (Σ_k fma over w[k·4 + r] · x_v[offsets[k] ..< offsets[k] + 8]) + bias[r]`,
    /// the fused sum from +0 in increasing `k` (`c = fma(w, x, c)` per term and lane), the
    /// bias added after it, then with `relu` `y < 0 ? 0 : y`; only the first `rows` rows stored. Per step: up to three loads of
    /// input pixels, four broadcasts of weights and twelve FMAs in twelve accumulators.
    @inline(__always)
    static func kernel4xTaps(
        _ vectors: Int, _ count: Int, _ w: UnsafePointer<Float>,
        _ x0: UnsafePointer<Float>, _ x1: UnsafePointer<Float>, _ x2: UnsafePointer<Float>,
        _ offsets: UnsafePointer<Int>, _ bias: UnsafePointer<Float>?,
        _ d0: UnsafeMutablePointer<Float>, _ d1: UnsafeMutablePointer<Float>, _ d2: UnsafeMutablePointer<Float>,
        _ ldc: Int, rows: Int, relu: Bool = false
    ) {
        var c00 = SIMD8<Float>(), c01 = SIMD8<Float>(), c02 = SIMD8<Float>()
        var c10 = SIMD8<Float>(), c11 = SIMD8<Float>(), c12 = SIMD8<Float>()
        var c20 = SIMD8<Float>(), c21 = SIMD8<Float>(), c22 = SIMD8<Float>()
        var c30 = SIMD8<Float>(), c31 = SIMD8<Float>(), c32 = SIMD8<Float>()
        let r0 = UnsafeRawPointer(x0), r1 = UnsafeRawPointer(x1), r2 = UnsafeRawPointer(x2)
        var pw = w
        for k in 0..<count {
            let o = offsets[k] * MemoryLayout<Float>.stride
            let v0 = r0.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
            var a = SIMD8<Float>(repeating: pw[0])
            if vectors == 3 {
                let v1 = r1.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                let v2 = r2.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                c00 = c00.addingProduct(a, v0); c01 = c01.addingProduct(a, v1); c02 = c02.addingProduct(a, v2)
                a = SIMD8<Float>(repeating: pw[1])
                c10 = c10.addingProduct(a, v0); c11 = c11.addingProduct(a, v1); c12 = c12.addingProduct(a, v2)
                a = SIMD8<Float>(repeating: pw[2])
                c20 = c20.addingProduct(a, v0); c21 = c21.addingProduct(a, v1); c22 = c22.addingProduct(a, v2)
                a = SIMD8<Float>(repeating: pw[3])
                c30 = c30.addingProduct(a, v0); c31 = c31.addingProduct(a, v1); c32 = c32.addingProduct(a, v2)
            } else if vectors == 2 {
                let v1 = r1.loadUnaligned(fromByteOffset: o, as: SIMD8<Float>.self)
                c00 = c00.addingProduct(a, v0); c01 = c01.addingProduct(a, v1)
                a = SIMD8<Float>(repeating: pw[1])
                c10 = c10.addingProduct(a, v0); c11 = c11.addingProduct(a, v1)
                a = SIMD8<Float>(repeating: pw[2])
                c20 = c20.addingProduct(a, v0); c21 = c21.addingProduct(a, v1)
                a = SIMD8<Float>(repeating: pw[3])
                c30 = c30.addingProduct(a, v0); c31 = c31.addingProduct(a, v1)
            } else {
                c00 = c00.addingProduct(a, v0)
                c10 = c10.addingProduct(SIMD8<Float>(repeating: pw[1]), v0)
                c20 = c20.addingProduct(SIMD8<Float>(repeating: pw[2]), v0)
                c30 = c30.addingProduct(SIMD8<Float>(repeating: pw[3]), v0)
            }
            pw += 4
        }
        if let bias {
            let b0 = SIMD8<Float>(repeating: bias[0]), b1 = SIMD8<Float>(repeating: bias[1])
            let b2 = SIMD8<Float>(repeating: bias[2]), b3 = SIMD8<Float>(repeating: bias[3])
            c00 += b0; c10 += b1; c20 += b2; c30 += b3
            if vectors > 1 { c01 += b0; c11 += b1; c21 += b2; c31 += b3 }
            if vectors > 2 { c02 += b0; c12 += b1; c22 += b2; c32 += b3 }
        }
        if relu {
            // The Relu kernel's `y < 0 ? 0 : y` per lane (NaN and −0 pass through).
            let zero = SIMD8<Float>()
            c00.replace(with: zero, where: c00 .< zero); c10.replace(with: zero, where: c10 .< zero)
            c20.replace(with: zero, where: c20 .< zero); c30.replace(with: zero, where: c30 .< zero)
            if vectors > 1 {
                c01.replace(with: zero, where: c01 .< zero); c11.replace(with: zero, where: c11 .< zero)
                c21.replace(with: zero, where: c21 .< zero); c31.replace(with: zero, where: c31 .< zero)
            }
            if vectors > 2 {
                c02.replace(with: zero, where: c02 .< zero); c12.replace(with: zero, where: c12 .< zero)
                c22.replace(with: zero, where: c22 .< zero); c32.replace(with: zero, where: c32 .< zero)
            }
        }
        let rowBytes = ldc * MemoryLayout<Float>.stride
        Self.store(c00, c10, c20, c30, UnsafeMutableRawPointer(d0), rowBytes, rows)
        if vectors > 1 { Self.store(c01, c11, c21, c31, UnsafeMutableRawPointer(d1), rowBytes, rows) }
        if vectors > 2 { Self.store(c02, c12, c22, c32, UnsafeMutableRawPointer(d2), rowBytes, rows) }
    }

    /// Stores the first `rows` of four 8-float rows, `rowBytes` apart.
    @inline(__always)
    static func store(
        _ c0: SIMD8<Float>, _ c1: SIMD8<Float>, _ c2: SIMD8<Float>, _ c3: SIMD8<Float>,
        _ d: UnsafeMutableRawPointer, _ rowBytes: Int, _ rows: Int
    ) {
        d.storeBytes(of: c0, as: SIMD8<Float>.self)
        if rows > 1 { d.storeBytes(of: c1, toByteOffset: rowBytes, as: SIMD8<Float>.self) }
        if rows > 2 { d.storeBytes(of: c2, toByteOffset: 2 * rowBytes, as: SIMD8<Float>.self) }
        if rows > 3 { d.storeBytes(of: c3, toByteOffset: 3 * rowBytes, as: SIMD8<Float>.self) }
    }
}
