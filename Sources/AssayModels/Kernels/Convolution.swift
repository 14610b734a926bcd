import AssayNumerics

/// A grouped 2-D convolution (cross-correlation) over NCHW float32 images, computed as one
/// matrix product per image and group (im2col).
///
/// ## Arithmetic (fixed)
///
/// Output `y[n, m, oy, ox]` for output channel `m` of group `g` is
///
///     (Σ over c, ky, kx of x[n, g·Cg + c, oy·sy − top + ky·dy, ox·sx − left + kx·dx] · w[m, c, ky, kx]) + b[m]
///
/// with the taps in the order `c`, then `ky`, then `kx` (each ascending) — the order of the
/// weights in memory — accumulated from +0 with one fused multiply–add per tap
/// (`s = fma(x, w, s)`, written explicitly) as in ``MatrixMultiply``, padding taps included as
/// zeros, and the bias (when there is one) added last with one IEEE add. With `relu` (a Relu
/// fused into the node by the session), each element is then replaced by `y < 0 ? 0 : y` — the
/// Relu kernel's formula on the same bits, so fusing it changes nothing. The work is spread over
/// fixed blocks of images; every element is computed the same way whichever thread computes it.
struct Convolution {
    let geometry: WindowGeometry
    let batch: Int
    let inputChannels: Int
    let outputChannels: Int
    let groups: Int

    /// Output elements per image.
    var outputPlane: Int { geometry.outputY * geometry.outputX }

    /// `y = conv(x, w) + b` with `x` `[batch, inputChannels, inputY, inputX]`, `w`
    /// `[outputChannels, inputChannels/groups, kernelY, kernelX]`, `b` empty or one per output
    /// channel; returns `[batch, outputChannels, outputY, outputX]`.
    ///
    /// Strides across up to 4 run ``applyDirect(_:_:_:_:bias:images:output:)`` (same bits; `direct:
    /// false` forces the im2col product, for tests). `packed`, when given, is
    /// ``packedWeights(_:)`` of `w`, made once by a prepared Conv node. `relu` applies
    /// `y < 0 ? 0 : y` to each finished element (a fused Relu).
    func apply(_ x: [Float], _ w: [Float], _ b: [Float], pool: BlockPool?, direct: Bool = true, packed: [Float]? = nil,
               offsets cachedOffsets: [Int]? = nil, relu: Bool = false) -> [Float] {
        let g = geometry
        let p = outputPlane, m = outputChannels
        let cg = inputChannels / groups, mg = outputChannels / groups
        let kg = cg * g.kernelY * g.kernelX
        let count = batch * m * p
        let pointwise = g.kernelY == 1 && g.kernelX == 1 && g.strideY == 1 && g.strideX == 1
            && g.padTop == 0 && g.padLeft == 0 && g.padBottom == 0 && g.padRight == 0
        let perBlock = max(1, (1 << 14) / max(1, m * p))
        let inPlane = g.inputY * g.inputX
        return x.withUnsafeBufferPointer { xb in
            w.withUnsafeBufferPointer { wb in
                b.withUnsafeBufferPointer { bb in
                    [Float].filled(count: count) { yp in
                        guard let xp0 = xb.baseAddress, let wp0 = wb.baseAddress else {
                            // No input elements or weights: every sum is empty (+0), plus the bias.
                            for i in 0..<count {
                                let v: Float = b.isEmpty ? 0 : 0 + b[(i / p) % m]
                                yp[i] = relu && v < 0 ? 0 : v
                            }
                            return
                        }
                        let xs = InputPointer(base: xp0), ws = InputPointer(base: wp0)
                        let bs = b.isEmpty ? nil : bb.baseAddress.map { InputPointer(base: $0) }
                        let ys = OutputPointer(base: yp)
                        if direct && supportsDirect && kg > 0 {
                            let packedWeights = packed ?? self.packedWeights(wp0)
                            let layout = paddedLayout
                            let offsets = cachedOffsets ?? tapOffsets(layout)
                            let segments = self.segments(layout)
                            let packedBias = bs.map { self.packedBias($0.base) } ?? []
                            packedWeights.withUnsafeBufferPointer { pw in
                                offsets.withUnsafeBufferPointer { po in
                                    segments.withUnsafeBufferPointer { ps in
                                        packedBias.withUnsafeBufferPointer { pb in
                                            guard let pwp = pw.baseAddress, let pop = po.baseAddress, let psp = ps.baseAddress else { return }
                                            let pws = InputPointer(base: pwp), pos = InputPointer(base: pop)
                                            let pss = InputPointer(base: psp), segmentCount = ps.count
                                            let pbs = bs == nil ? nil : pb.baseAddress.map { InputPointer(base: $0) }
                                            KernelBlocks.run(pool, count: batch, size: perBlock) { images in
                                                applyDirect(xs.base, pws.base, pos.base,
                                                            UnsafeBufferPointer(start: pss.base, count: segmentCount),
                                                            bias: pbs?.base, relu: relu, images: images, output: ys.base)
                                            }
                                        }
                                    }
                                }
                            }
                            return
                        }
                        KernelBlocks.run(pool, count: batch, size: perBlock) { images in
                            let col = UnsafeMutablePointer<Float>.allocate(capacity: pointwise ? 1 : kg * p)
                            defer { col.deallocate() }
                            for n in images {
                                for group in 0..<groups {
                                    let planes = xs.base + (n * inputChannels + group * cg) * inPlane
                                    let bMatrix: UnsafePointer<Float>
                                    if pointwise {
                                        bMatrix = planes
                                    } else {
                                        gather(planes, cg, into: col)
                                        bMatrix = UnsafePointer(col)
                                    }
                                    let out = ys.base + (n * m + group * mg) * p
                                    MatrixMultiply.multiplyRows(
                                        0..<mg, n: p, k: kg,
                                        a: MatrixOperand(base: ws.base + group * mg * kg, rowStride: kg, columnStride: 1),
                                        b: MatrixOperand(base: bMatrix, rowStride: p, columnStride: 1),
                                        c: out, ldc: p)
                                    if let bs {
                                        for o in 0..<mg {
                                            let bias = bs.base[group * mg + o]
                                            let row = out + o * p
                                            for i in 0..<p { row[i] = row[i] + bias }
                                        }
                                    }
                                    if relu {
                                        for i in 0..<(mg * p) where out[i] < 0 { out[i] = 0 }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Writes the im2col matrix of `channels` input planes at `planes`: row
    /// `(c·kernelY + ky)·kernelX + kx`, column `oy·outputX + ox`, zeros for padding taps.
    func gather(_ planes: UnsafePointer<Float>, _ channels: Int, into col: UnsafeMutablePointer<Float>) {
        let g = geometry
        let p = outputPlane, ox = g.outputX, width = g.inputX
        var row = col
        for c in 0..<channels {
            let plane = planes + c * g.inputY * width
            for ky in 0..<g.kernelY {
                for kx in 0..<g.kernelX {
                    let xOffset = kx * g.dilationX - g.padLeft
                    // Output columns whose input column lies inside the image (stride 1 case).
                    let lo = min(ox, max(0, -xOffset)), hi = max(lo, min(ox, width - xOffset))
                    for oy in 0..<g.outputY {
                        let iy = oy * g.strideY - g.padTop + ky * g.dilationY
                        let dst = row + oy * ox
                        if iy < 0 || iy >= g.inputY {
                            dst.update(repeating: 0, count: ox)
                            continue
                        }
                        let src = plane + iy * width
                        if g.strideX == 1 {
                            if lo > 0 { dst.update(repeating: 0, count: lo) }
                            if hi > lo { (dst + lo).update(from: src + lo + xOffset, count: hi - lo) }
                            if hi < ox { (dst + hi).update(repeating: 0, count: ox - hi) }
                        } else {
                            for o in 0..<ox {
                                let ix = o * g.strideX + xOffset
                                dst[o] = ix >= 0 && ix < width ? src[ix] : 0
                            }
                        }
                    }
                    row += p
                }
            }
        }
    }
}
