import AssayNumerics

/// The score transform the ONNX-ML classifiers and regressors apply last (`post_transform`).
///
/// Every function computes in float32 like ONNX Runtime's CPU kernels, in a fixed order, and
/// takes `exp` and `log` from `DeterministicMath` (evaluated in double, rounded once to float),
/// so results are the same on every machine.
enum PostTransform: String, Sendable {
    case none = "NONE"
    case logistic = "LOGISTIC"
    case softmax = "SOFTMAX"
    case softmaxZero = "SOFTMAX_ZERO"
    case probit = "PROBIT"

    /// The node's `post_transform` attribute (default NONE).
    init(_ context: OperatorContext) throws(ModelError) {
        let name = try context.string("post_transform", default: "NONE")
        guard let t = PostTransform(rawValue: name) else {
            throw context.error("post_transform '\(name)' is not one of NONE, LOGISTIC, SOFTMAX, SOFTMAX_ZERO, PROBIT")
        }
        self = t
    }

    /// Applies the transform to one row of two or more scores, in place.
    @inline(__always)
    func applyToRow(_ row: inout ArraySlice<Float>) {
        applyToScores(&row)
    }

    /// Applies the transform to one row of two or more scores, in place, through a pointer.
    @inline(__always)
    func applyToRow(_ row: UnsafeMutableBufferPointer<Float>) {
        var row = row
        applyToScores(&row)
    }

    private func applyToScores<Row: MutableCollection>(_ row: inout Row) where Row.Element == Float {
        switch self {
        case .none: break
        case .logistic:
            for i in row.indices { row[i] = PostTransform.logistic(row[i]) }
        case .probit:
            for i in row.indices { row[i] = PostTransform.probit(row[i]) }
        case .softmax:
            var maximum = -Float.greatestFiniteMagnitude
            for v in row where v > maximum { maximum = v }
            var sum: Float = 0
            for i in row.indices {
                row[i] = PostTransform.exp(row[i] - maximum)
                sum += row[i]
            }
            for i in row.indices { row[i] /= sum }
        case .softmaxZero:
            // Zeros stay zero (scaled by exp(-max)) and do not count in the sum.
            var maximum = -Float.greatestFiniteMagnitude
            for v in row where v > maximum { maximum = v }
            let scaleZero = PostTransform.exp(-maximum)
            var sum: Float = 0
            for i in row.indices {
                if row[i] > 0.0000001 || row[i] < -0.0000001 {
                    row[i] = PostTransform.exp(row[i] - maximum)
                    sum += row[i]
                } else {
                    row[i] *= scaleZero
                }
            }
            for i in row.indices { row[i] /= sum }
        }
    }

    /// `e^x` in float32: DeterministicMath's double exp, rounded once.
    static func exp(_ x: Float) -> Float { Float(DeterministicMath.exp(Double(x))) }

    /// The logistic function `1 / (1 + e^-x)`, computed on `|x|` for accuracy.
    static func logistic(_ x: Float) -> Float {
        let v: Float = 1 / (1 + exp(-abs(x)))
        return x < 0 ? 1 - v : v
    }

    /// `√2 · erfinv(2x − 1)` with the approximation ONNX Runtime uses (Winitzki's, a = 0.147).
    static func probit(_ x: Float) -> Float {
        let y: Float = 2 * x - 1
        let sign: Float = y < 0 ? -1 : 1
        let z = (1 - y) * (1 + y)
        let lnz = Float(DeterministicMath.log(Double(z)))
        let v: Float = 2 / (3.14159 * 0.147) + 0.5 * lnz
        let v2: Float = 1 / 0.147 * lnz
        let v3 = -v + (v * v - v2).squareRoot()
        return Float(2).squareRoot() * sign * v3.squareRoot()
    }
}
