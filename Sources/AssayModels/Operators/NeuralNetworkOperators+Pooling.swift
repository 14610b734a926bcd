extension NeuralNetworkOperators {
    /// The checked input and window of MaxPool and AveragePool.
    static func poolingWindow(_ context: OperatorContext, _ inputs: [ModelValue?], dilations: Bool) throws(ModelError) -> (x: [Float], shape: [Int], geometry: WindowGeometry, outShape: [Int]) {
        let (x, shape) = try floatInput(context, inputs, 0)
        guard shape.count == 3 || shape.count == 4 else {
            throw context.error("input X must be [N, C, W] or [N, C, H, W], got shape \(shape)")
        }
        let kernel64 = try context.ints("kernel_shape")
        let kernel = kernel64.map { Int(clamping: $0) }
        let ceilMode = try context.int("ceil_mode", default: 0) != 0
        let g = try windowGeometry(context, spatial: Array(shape.dropFirst(2)), kernel: kernel, ceilMode: ceilMode,
                                   allowDilations: dilations)
        let outShape = shape.count == 3 ? [shape[0], shape[1], g.outputX] : [shape[0], shape[1], g.outputY, g.outputX]
        _ = try checkedCount(context, outShape)
        return (x, shape, g, outShape)
    }

    /// MaxPool: the largest input in each window (visited row by row), padding ignored; a window
    /// wholly in the padding gives −∞. The optional Indices output is not supported.
    static func maxPool(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        if context.node.outputs.count > 1 && !context.node.outputs[1].isEmpty {
            throw context.error("the Indices output is not supported")
        }
        let (x, shape, g, outShape) = try poolingWindow(context, inputs, dilations: context.opsetVersion >= 10)
        let y = pool2D(x, planes: shape[0] * shape[1], g, .maximum)
        return [floatValue(y, outShape)]
    }

    /// AveragePool: the sum of the window's inputs inside the image, row by row from +0,
    /// divided by the number of those inputs (`count_include_pad = 0`, the default) or by the
    /// window's size clipped to the padded image (`count_include_pad = 1`), as ONNX Runtime does.
    static func averagePool(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        let (x, shape, g, outShape) = try poolingWindow(context, inputs, dilations: context.opsetVersion >= 19)
        let includePad = try context.int("count_include_pad", default: 0) != 0
        let y = pool2D(x, planes: shape[0] * shape[1], g, includePad ? .averageOverPaddedWindow : .averageOverInputs)
        return [floatValue(y, outShape)]
    }

    /// What a pooling window computes.
    enum PoolReduction {
        /// The largest input (NaN if any is NaN), visited row by row; −∞ for an empty window.
        case maximum
        /// The sum of the inputs row by row from +0, divided by their number.
        case averageOverInputs
        /// The same sum divided by the window's size clipped to the padded image.
        case averageOverPaddedWindow
    }

    /// Pools every output position of every plane: the window clipped to the image visits
    /// input rows from its first tap inside to its end, stepping by the dilation.
    static func pool2D(_ x: [Float], planes: Int, _ g: WindowGeometry, _ reduction: PoolReduction) -> [Float] {
        let inPlane = g.inputY * g.inputX, outPlane = g.outputY * g.outputX
        // The clipped window along each axis depends on the output index only: tabulate it.
        func spans(_ count: Int, _ stride: Int, _ pad: Int, _ padEnd: Int, _ kernel: Int, _ dilation: Int, _ size: Int) -> [(first: Int, end: Int, taps: Int)] {
            (0..<count).map { o in
                let start = o * stride - pad
                let end = start + (kernel - 1) * dilation + 1
                var first = start
                while first < 0 { first += dilation }
                return (first, min(end, size), (min(end, size + padEnd) - start + dilation - 1) / dilation)
            }
        }
        let rows = spans(g.outputY, g.strideY, g.padTop, g.padBottom, g.kernelY, g.dilationY, g.inputY)
        let columns = spans(g.outputX, g.strideX, g.padLeft, g.padRight, g.kernelX, g.dilationX, g.inputX)
        return x.withUnsafeBufferPointer { xb in
            [Float].filled(count: planes * outPlane) { yp in
                guard let xp0 = xb.baseAddress else { return }
                // Output columns whose window lies wholly inside the image across (and, for
                // stride 2, starts at column 1 or later, see `maximum8`): there a maximum runs
                // eight columns at a time.
                var interior = 0..<0
                if reduction == .maximum && (g.strideX == 1 || g.strideX == 2) {
                    var first = g.outputX, end = g.outputX
                    for o in 0..<g.outputX {
                        let start = o * g.strideX - g.padLeft
                        if start >= g.strideX - 1 && start + (g.kernelX - 1) * g.dilationX < g.inputX {
                            if first == g.outputX { first = o }
                            end = o + 1
                        }
                    }
                    interior = first..<max(first, end)
                }
                for plane in 0..<planes {
                    let xp = xp0 + plane * inPlane
                    var out = yp + plane * outPlane
                    let width = g.inputX, dy = g.dilationY, dx = g.dilationX
                    for row in rows {
                        var o = 0
                        while o < columns.count {
                            if interior.count >= 8 && o == interior.lowerBound {
                                // Eight columns at a time; the last block ends at the interior's
                                // end, overlapping the one before (it rewrites the same values).
                                var b = o
                                while true {
                                    maximum8(xp, width, row.first, row.end, dy, b * g.strideX - g.padLeft, g.kernelX, dx,
                                             wide: g.strideX == 2, out + (b - o))
                                    if b + 8 == interior.upperBound { break }
                                    b = min(b + 8, interior.upperBound - 8)
                                }
                                out += interior.count
                                o = interior.upperBound
                                continue
                            }
                            let column = columns[o]
                            var iy = row.first
                            switch reduction {
                            case .maximum:
                                var m = -Float.infinity
                                var nan = false
                                while iy < row.end {
                                    let line = xp + iy * width
                                    var ix = column.first
                                    while ix < column.end {
                                        let v = line[ix]
                                        m = v > m ? v : m
                                        if v != v { nan = true }
                                        ix += dx
                                    }
                                    iy += dy
                                }
                                out.pointee = nan ? .nan : m
                            case .averageOverInputs, .averageOverPaddedWindow:
                                var sum: Float = 0
                                var count = 0
                                while iy < row.end {
                                    let line = xp + iy * width
                                    var ix = column.first
                                    while ix < column.end {
                                        sum += line[ix]
                                        count += 1
                                        ix += dx
                                    }
                                    iy += dy
                                }
                                let divisor = reduction == .maximum || reduction == .averageOverInputs ? count : row.taps * column.taps
                                out.pointee = sum / Float(divisor)
                            }
                            out += 1
                            o += 1
                        }
                    }
                }
            }
        }
    }

    /// MaxPool of eight neighbouring output columns whose windows lie inside the image across:
    /// lane `l` folds the taps of its window in the scalar order (rows `firstRow..<endRow` by
    /// `dy`, columns `start + l·stride + kx·dx`, stride 2 when `wide`), `m = v > m ? v : m` from
    /// −∞, NaN if any tap is NaN — the scalar formula in each lane. With stride 2 the taps are
    /// the odd lanes of 16 floats read from one column earlier, so every read stays inside the
    /// row (`start ≥ 1`, last tap inside the image).
    @inline(__always)
    static func maximum8(
        _ x: UnsafePointer<Float>, _ width: Int, _ firstRow: Int, _ endRow: Int, _ dy: Int,
        _ start: Int, _ kernelX: Int, _ dx: Int, wide: Bool, _ out: UnsafeMutablePointer<Float>
    ) {
        var m = SIMD8<Float>(repeating: -.infinity)
        var nan = SIMDMask<SIMD8<Int32>>()
        var iy = firstRow
        while iy < endRow {
            let line = UnsafeRawPointer(x + iy * width + start)
            for kx in 0..<kernelX {
                let offset = kx * dx * MemoryLayout<Float>.stride
                let v = wide
                    ? line.loadUnaligned(fromByteOffset: offset - MemoryLayout<Float>.stride, as: SIMD16<Float>.self).oddHalf
                    : line.loadUnaligned(fromByteOffset: offset, as: SIMD8<Float>.self)
                m.replace(with: v, where: v .> m)
                nan .|= v .!= v
            }
            iy += dy
        }
        m.replace(with: .nan, where: nan)
        UnsafeMutableRawPointer(out).storeBytes(of: m, as: SIMD8<Float>.self)
    }

    /// GlobalAveragePool (sum of each plane in index order from +0, divided by the plane size)
    /// and GlobalMaxPool; output `[N, C, 1, …]`.
    static func globalPool(_ context: OperatorContext, _ inputs: [ModelValue?], average: Bool) throws(ModelError) -> [ModelValue] {
        let (x, shape) = try floatInput(context, inputs, 0)
        guard shape.count >= 3 else { throw context.error("input X must be [N, C, spatial…], got shape \(shape)") }
        let planes = shape[0] * shape[1], size = shape[2...].reduce(1, *)
        let outShape = [shape[0], shape[1]] + [Int](repeating: 1, count: shape.count - 2)
        let y = x.withUnsafeBufferPointer { xb in
            [Float].filled(count: planes) { yp in
                guard let xp = xb.baseAddress else {
                    yp.update(repeating: average ? .nan : -.infinity, count: planes)
                    return
                }
                for p in 0..<planes {
                    let plane = xp + p * size
                    if average {
                        var sum: Float = 0
                        for i in 0..<size { sum += plane[i] }
                        yp[p] = sum / Float(size)
                    } else {
                        var m = -Float.infinity
                        var nan = false
                        for i in 0..<size {
                            m = plane[i] > m ? plane[i] : m
                            if plane[i] != plane[i] { nan = true }
                        }
                        yp[p] = nan ? .nan : m
                    }
                }
            }
        }
        return [floatValue(y, outShape)]
    }
}
