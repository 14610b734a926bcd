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
        let width = g.inputX, dy = g.dilationY, dx = g.dilationX
        let y = pool2D(x, planes: shape[0] * shape[1], g) { xp, y0, y1, x0, x1 -> (Float, Int) in
            // Branch-free maximum; a NaN anywhere in the window makes the result NaN.
            var m = -Float.infinity
            var nan = false
            var iy = y0
            while iy < y1 {
                let row = xp + iy * width
                var ix = x0
                while ix < x1 {
                    let v = row[ix]
                    m = v > m ? v : m
                    if v != v { nan = true }
                    ix += dx
                }
                iy += dy
            }
            return (nan ? .nan : m, 0)
        } finish: { m, _, _ in m }
        return [floatValue(y, outShape)]
    }

    /// AveragePool: the sum of the window's inputs inside the image, row by row from +0,
    /// divided by the number of those inputs (`count_include_pad = 0`, the default) or by the
    /// window's size clipped to the padded image (`count_include_pad = 1`), as ONNX Runtime does.
    static func averagePool(_ context: OperatorContext, _ inputs: [ModelValue?]) throws(ModelError) -> [ModelValue] {
        let (x, shape, g, outShape) = try poolingWindow(context, inputs, dilations: context.opsetVersion >= 19)
        let includePad = try context.int("count_include_pad", default: 0) != 0
        let y = pool2D(x, planes: shape[0] * shape[1], g) { xp, y0, y1, x0, x1 -> (Float, Int) in
            var sum: Float = 0
            var count = 0
            var iy = y0
            while iy < y1 {
                var ix = x0
                while ix < x1 {
                    sum += xp[iy * g.inputX + ix]
                    count += 1
                    ix += g.dilationX
                }
                iy += g.dilationY
            }
            return (sum, count)
        } finish: { sum, count, paddedCount in sum / Float(includePad ? paddedCount : count) }
        return [floatValue(y, outShape)]
    }

    /// Runs `window` over every output position of every plane and `finish` on its result.
    /// `window` gets the plane and the input rows `y0..<y1`, columns `x0..<x1` of the window
    /// clipped to the image (stepping by the dilation from the window's first tap inside) and
    /// returns its reduction and the number of taps it read; `finish` gets those and the
    /// number of taps of the window clipped to the padded image.
    @inline(__always)
    static func pool2D(
        _ x: [Float], planes: Int, _ g: WindowGeometry,
        _ window: (UnsafePointer<Float>, Int, Int, Int, Int) -> (Float, Int),
        finish: (Float, Int, Int) -> Float
    ) -> [Float] {
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
                for plane in 0..<planes {
                    let xp = xp0 + plane * inPlane
                    var out = yp + plane * outPlane
                    for row in rows {
                        for column in columns {
                            let (v, count) = window(xp, row.first, row.end, column.first, column.end)
                            out.pointee = finish(v, count, row.taps * column.taps)
                            out += 1
                        }
                    }
                }
            }
        }
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
