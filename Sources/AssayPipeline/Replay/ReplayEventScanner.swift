#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fast reader of capture lines for replays: pulls out of one event line only what a replay
/// uses (request id, timestamp, input and output tensors), parsing numbers straight into doubles
/// and skipping every other member, without building a JSON tree.
///
/// It gives exactly what the general path (``AssayStore/JSONValue`` then ``CaptureEvent``) gives,
/// or `nil` when the line holds anything it does not handle (escaped strings, non-numeric tensor
/// data, a missing input); the replay then takes the general path, which also reports errors.
/// Numbers are read with `strtod`, which rounds correctly, as the general parser does.
struct ReplayEventScanner {
    private let p: UnsafePointer<UInt8>
    private let n: Int
    private var i = 0

    private init(_ p: UnsafePointer<UInt8>, _ n: Int) {
        self.p = p
        self.n = n
    }

    /// The parts of an event line a replay reads, or `nil` to take the general path.
    static func scan(_ line: ArraySlice<UInt8>, recorded: Bool)
        -> (requestID: String?, timestamp: CaptureTimestamp?, inputs: [NumericTensor], outputs: [NumericTensor]?)? {
        // strtod needs a byte after every number that cannot continue it: the closing brace.
        guard line.last == UInt8(ascii: "}") else { return nil }
        return line.withUnsafeBufferPointer { buf -> (String?, CaptureTimestamp?, [NumericTensor], [NumericTensor]?)? in
            guard let base = buf.baseAddress else { return nil }
            var s = ReplayEventScanner(base, buf.count)
            return s.event(recorded: recorded)
        }
    }

    private mutating func event(recorded: Bool) -> (String?, CaptureTimestamp?, [NumericTensor], [NumericTensor]?)? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var requestID: String?
        var timestamp: CaptureTimestamp?
        var inputs: [NumericTensor]?
        var outputs: [NumericTensor]?
        if take(UInt8(ascii: "}")) { return nil }
        repeat {
            guard let key = rawString() else { return nil }
            guard take(UInt8(ascii: ":")) else { return nil }
            switch key {
            case "request_id":
                if takeNull() { requestID = nil } else { guard let v = rawString() else { return nil }; requestID = v }
            case "timestamp":
                if takeNull() { timestamp = nil } else {
                    guard let v = rawString(), let t = CaptureTimestamp(parsing: v) else { return nil }
                    timestamp = t
                }
            case "inputs":
                if takeNull() { return nil }
                guard let t = tensors() else { return nil }
                inputs = t
            case "outputs" where recorded:
                if takeNull() { return nil }
                guard let t = tensors() else { return nil }
                outputs = t
            default:
                guard skipValue() else { return nil }
            }
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")), i == n, let inputs, !inputs.isEmpty else { return nil }
        if recorded, outputs?.isEmpty ?? true { return nil }
        return (requestID, timestamp, inputs, outputs)
    }

    private mutating func tensors() -> [NumericTensor]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var out: [NumericTensor] = []
        if take(UInt8(ascii: "]")) { return out }
        repeat {
            guard let t = tensor() else { return nil }
            out.append(t)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? out : nil
    }

    private mutating func tensor() -> NumericTensor? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var name: String?
        var datatype: String?
        var shape: [Int]?
        var values: [Double]?
        repeat {
            guard let key = rawString(), take(UInt8(ascii: ":")) else { return nil }
            switch key {
            case "name": guard let v = rawString() else { return nil }; name = v
            case "datatype": guard let v = rawString() else { return nil }; datatype = v
            case "shape":
                guard take(UInt8(ascii: "[")) else { return nil }
                var dims: [Int] = []
                if !take(UInt8(ascii: "]")) {
                    repeat {
                        guard let d = integer() else { return nil }
                        dims.append(d)
                    } while take(UInt8(ascii: ","))
                    guard take(UInt8(ascii: "]")) else { return nil }
                }
                shape = dims
            case "data": guard let v = numbers() else { return nil }; values = v
            default: guard skipValue() else { return nil }
            }
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")), let name, let datatype, let shape, var values else { return nil }
        switch datatype {
        case "FP32", "FP16", "BF16":
            for k in values.indices where values[k].isFinite { values[k] = Double(Float(values[k])) }
        case "FP64", "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64": break
        default: return nil
        }
        return NumericTensor(name: name, datatype: datatype, shape: shape, values: values)
    }

    /// A flat array of numbers, `null` (NaN), `true` (1) and `false` (0).
    private mutating func numbers() -> [Double]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var out: [Double] = []
        if take(UInt8(ascii: "]")) { return out }
        repeat {
            guard i < n else { return nil }
            switch p[i] {
            case UInt8(ascii: "n"):
                guard takeNull() else { return nil }
                out.append(.nan)
            case UInt8(ascii: "t"):
                guard literal("true") else { return nil }
                out.append(1)
            case UInt8(ascii: "f"):
                guard literal("false") else { return nil }
                out.append(0)
            default:
                guard let v = number() else { return nil }
                out.append(v)
            }
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? out : nil
    }

    /// Exact powers of ten as doubles: 10⁰ … 10²².
    private static let powersOfTen: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { r, _ in r * 10 } }

    /// A JSON number: checked against the JSON grammar, then converted exactly — by one IEEE
    /// multiplication or division when the significand has at most 15 digits and the power
    /// of ten is at most 22 (both operands exact, so the one rounding is the correct one, as
    /// Clinger showed), else by strtod, which rounds correctly.
    private mutating func number() -> Double? {
        let start = i
        var negative = false
        if i < n, p[i] == UInt8(ascii: "-") { i += 1; negative = true }
        guard i < n, isDigit(p[i]) else { return nil }
        var significand: UInt64 = 0
        var digits = 0
        var scale = 0
        if p[i] == UInt8(ascii: "0") { i += 1 } else {
            while i < n, isDigit(p[i]) {
                significand = significand &* 10 &+ UInt64(p[i] &- 48)
                digits += 1
                i += 1
            }
        }
        var isInteger = true
        if i < n, p[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < n, isDigit(p[i]) else { return nil }
            while i < n, isDigit(p[i]) {
                if significand != 0 || p[i] != 48 { digits += 1 }
                significand = significand &* 10 &+ UInt64(p[i] &- 48)
                scale -= 1
                i += 1
            }
        }
        var exact = true
        if i < n, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            isInteger = false
            i += 1
            var negativeExponent = false
            if i < n, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { negativeExponent = p[i] == UInt8(ascii: "-"); i += 1 }
            guard i < n, isDigit(p[i]) else { return nil }
            var e = 0
            while i < n, isDigit(p[i]) {
                if e < 100_000 { e = e * 10 + Int(p[i] &- 48) } else { exact = false }
                i += 1
            }
            scale += negativeExponent ? -e : e
        }
        if exact, digits <= 15, scale >= -22, scale <= 22 {
            let w = Double(significand)
            let v = scale >= 0 ? w * ReplayEventScanner.powersOfTen[scale] : w / ReplayEventScanner.powersOfTen[-scale]
            if isInteger || v != 0 || significand == 0 {
                if v == 0 { return isInteger ? 0 : (negative ? -0.0 : 0) }
                return negative ? -v : v
            }
        }
        // The line ends with `}`, so strtod stops inside the buffer, where the grammar did.
        var endPointer: UnsafeMutablePointer<CChar>?
        let expected = i - start
        let (v, used) = (p + start).withMemoryRebound(to: CChar.self, capacity: expected + 1) { q -> (Double, Int) in
            let v = strtod(q, &endPointer)
            guard let e = endPointer else { return (v, -1) }
            return (v, q.distance(to: UnsafePointer<CChar>(e)))
        }
        guard used == expected else { return nil }
        // As the JSON parser: an integer -0 is 0, and a fraction too large for a double is an
        // error (left to the general path to report).
        if isInteger { return v == 0 ? 0 : v }
        return v.isFinite ? v : nil
    }

    private mutating func integer() -> Int? {
        var v = 0
        let start = i
        while i < n, isDigit(p[i]) {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int(p[i] &- 48))
            guard !o1, !o2 else { return nil }
            v = a
            i += 1
        }
        return i > start ? v : nil
    }

    /// A string without escapes (else `nil`: the general path decodes escapes).
    private mutating func rawString() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = i
        while i < n, p[i] != UInt8(ascii: "\"") {
            if p[i] == UInt8(ascii: "\\") || p[i] < 0x20 { return nil }
            i += 1
        }
        guard i < n else { return nil }
        let s = String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
        i += 1
        // Invalid UTF-8 would have been repaired by decoding: leave it to the general path.
        guard s.utf8.count == i - 1 - start else { return nil }
        return s
    }

    /// Skips any JSON value, minding strings and nesting.
    private mutating func skipValue() -> Bool {
        guard i < n else { return false }
        switch p[i] {
        case UInt8(ascii: "\""):
            i += 1
            while i < n, p[i] != UInt8(ascii: "\"") { i += p[i] == UInt8(ascii: "\\") ? 2 : 1 }
            guard i < n else { return false }
            i += 1
            return true
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            while i < n {
                switch p[i] {
                case UInt8(ascii: "\""):
                    guard skipValue() else { return false }
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { i += 1; return true }
                default: break
                }
                i += 1
            }
            return false
        default:
            let start = i
            while i < n, p[i] != UInt8(ascii: ","), p[i] != UInt8(ascii: "}"), p[i] != UInt8(ascii: "]") { i += 1 }
            return i > start
        }
    }

    private mutating func take(_ c: UInt8) -> Bool {
        guard i < n, p[i] == c else { return false }
        i += 1
        return true
    }

    private mutating func takeNull() -> Bool { literal("null") }

    private mutating func literal(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard i + count <= n else { return false }
        for k in 0..<count where p[i + k] != text.utf8Start[k] { return false }
        i += count
        return true
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
}

/// A capture tensor of numbers: data as doubles (FP32 values as the float32 they were
/// written from; NaN for `null`).
struct NumericTensor: Sendable, Equatable {
    var name: String
    var datatype: String
    var shape: [Int]
    var values: [Double]
}
