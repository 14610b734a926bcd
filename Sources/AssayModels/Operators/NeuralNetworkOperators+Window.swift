extension NeuralNetworkOperators {
    /// Reads the window attributes shared by Conv, MaxPool and AveragePool (`auto_pad`,
    /// `strides`, `dilations`, `pads`) for a 1-D or 2-D input of spatial size `spatial` and the
    /// given kernel, and checks them.
    ///
    /// - Throws: ``ModelError/node(name:opType:problem:)`` when an attribute has the wrong
    ///   length, a stride, dilation or kernel side is below 1, a pad is negative, a value is
    ///   absurdly large, `auto_pad` is unknown, or no window fits in the padded input.
    static func windowGeometry(_ context: OperatorContext, spatial: [Int], kernel: [Int], ceilMode: Bool,
                               allowDilations: Bool = true) throws(ModelError) -> WindowGeometry {
        let r = spatial.count
        guard r == 1 || r == 2 else {
            throw context.error("only 1-D and 2-D inputs ([N, C, W] or [N, C, H, W]) are supported, got \(r) spatial dimensions")
        }
        guard kernel.count == r else {
            throw context.error("the kernel has \(kernel.count) spatial dimensions but the input has \(r)")
        }
        func list(_ name: String, default value: Int64, count: Int, minimum: Int64, what: String) throws(ModelError) -> [Int] {
            let v = try context.ints(name, default: [Int64](repeating: value, count: count))
            guard v.count == count else {
                throw context.error("attribute '\(name)' has \(v.count) values, expected \(count) for \(r) spatial dimensions")
            }
            for x in v where x < minimum || x > maximumAttribute {
                throw context.error("attribute '\(name)' = \(v) is invalid: \(what)")
            }
            return v.map { Int($0) }
        }
        let strides = try list("strides", default: 1, count: r, minimum: 1, what: "every stride must be at least 1")
        let dilations = allowDilations
            ? try list("dilations", default: 1, count: r, minimum: 1, what: "every dilation must be at least 1")
            : [Int](repeating: 1, count: r)
        let pads = try list("pads", default: 0, count: 2 * r, minimum: 0, what: "pads must not be negative")
        for k in kernel where k < 1 || k > Int(maximumAttribute) {
            throw context.error("the kernel shape \(kernel) is invalid: every side must be at least 1")
        }
        let autoPad = try context.string("auto_pad", default: "NOTSET")
        guard ["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"].contains(autoPad) else {
            throw context.error("attribute 'auto_pad' = '\(autoPad)' is not one of NOTSET, VALID, SAME_UPPER, SAME_LOWER")
        }
        // A 1-D window is a 2-D one of height 1.
        let n2 = r == 1 ? [1] + spatial : spatial
        let k2 = r == 1 ? [1] + kernel : kernel
        let s2 = r == 1 ? [1] + strides : strides
        let d2 = r == 1 ? [1] + dilations : dilations
        let pb = r == 1 ? [0, pads[0]] : [pads[0], pads[1]]
        let pe = r == 1 ? [0, pads[1]] : [pads[2], pads[3]]
        var out: [(out: Int, begin: Int, end: Int)] = []
        for d in 0..<2 {
            guard let axis = WindowGeometry.axis(input: n2[d], kernel: k2[d], stride: s2[d], dilation: d2[d],
                                                 padBegin: pb[d], padEnd: pe[d], autoPad: r == 1 && d == 0 ? "NOTSET" : autoPad,
                                                 ceilMode: ceilMode) else {
                throw context.error("the window (kernel \(kernel), dilations \(dilations), pads \(pads)) does not fit in the input of spatial size \(spatial)")
            }
            out.append(axis)
        }
        return WindowGeometry(inputY: n2[0], inputX: n2[1], kernelY: k2[0], kernelX: k2[1],
                              strideY: s2[0], strideX: s2[1], dilationY: d2[0], dilationX: d2[1],
                              padTop: out[0].begin, padLeft: out[1].begin, padBottom: out[0].end, padRight: out[1].end,
                              outputY: out[0].out, outputX: out[1].out)
    }
}
