/// Where a sliding window (a convolution kernel or a pooling window) lands on a 2-D image:
/// kernel size, strides, dilations, padding on each side and the output size. A 1-D operator
/// is the 2-D case with a height of 1.
///
/// Output position `(oy, ox)` reads input rows `oy·strideY − padTop + ky·dilationY` for
/// `ky` in `0..<kernelY` (and the same across), positions outside the input being padding.
struct WindowGeometry: Equatable {
    var inputY: Int, inputX: Int
    var kernelY: Int, kernelX: Int
    var strideY: Int, strideX: Int
    var dilationY: Int, dilationX: Int
    var padTop: Int, padLeft: Int, padBottom: Int, padRight: Int
    var outputY: Int, outputX: Int

    /// The output size along one axis and the padding actually applied before and after.
    ///
    /// `NOTSET`: `⌊(n + pb + pe − ((k−1)·d + 1)) / s⌋ + 1` (`⌈·⌉` with `ceilMode`, dropping a
    /// last window that would start in the end padding). `VALID`: no padding. `SAME_UPPER` /
    /// `SAME_LOWER`: output `⌈n/s⌉`, total padding `max(0, (out−1)·s + (k−1)·d + 1 − n)`, the odd
    /// pixel after (`UPPER`) or before (`LOWER`). Nil when no window fits.
    static func axis(input n: Int, kernel k: Int, stride s: Int, dilation d: Int,
                     padBegin: Int, padEnd: Int, autoPad: String, ceilMode: Bool) -> (out: Int, begin: Int, end: Int)? {
        let span = (k - 1) * d + 1
        switch autoPad {
        case "VALID":
            guard n >= span else { return nil }
            let out = ceilMode ? (n - span + s - 1) / s + 1 : (n - span) / s + 1
            return (out, 0, 0)
        case "SAME_UPPER", "SAME_LOWER":
            guard n >= 1 else { return nil }
            let out = (n + s - 1) / s
            let total = max(0, (out - 1) * s + span - n)
            let small = total / 2
            return autoPad == "SAME_UPPER" ? (out, small, total - small) : (out, total - small, small)
        default:
            let padded = n + padBegin + padEnd
            guard padded >= span else { return nil }
            var out = ceilMode ? (padded - span + s - 1) / s + 1 : (padded - span) / s + 1
            if ceilMode && (out - 1) * s >= n + padBegin { out -= 1 }
            return (out, padBegin, padEnd)
        }
    }
}
