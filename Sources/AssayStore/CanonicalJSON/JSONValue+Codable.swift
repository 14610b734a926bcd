import Foundation

/// `Codable` lets a ``JSONValue`` sit inside other `Codable` types (a run's parameters, say).
///
/// Decoding tries, in order: null, `Bool`, `Int64`, `UInt64`, `Double`, `String`, an array, a
/// string-keyed dictionary. Two consequences with Foundation's `JSONDecoder`:
///
/// - It decodes `1.0` and `1e2` as integers too, giving `.integer("1")` and `.integer("100")`.
///   That changes no canonical bytes: a double with an integral value below 1e21 is written as
///   its integer digits anyway, so the results are `==` to the doubles.
/// - Integers beyond the 64-bit ranges arrive as `Double` and lose digits, since a `Decoder`
///   hides the number's text. For exact big integers use ``JSONValue/parse(_:maxDepth:)`` or
///   ``CanonicalJSON/decode(_:from:)`` with `JSONValue` itself as the type.
///
/// Encoding writes integers as `Int64` or `UInt64` when they fit, otherwise as a `Decimal`
/// when its 38 digits hold the value exactly (Foundation's `JSONEncoder` writes those digits
/// verbatim); a longer integer throws `EncodingError.invalidValue`.
extension JSONValue: Codable {
    /// Decodes any JSON value; see the extension's discussion for how numbers are read.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let b = try? container.decode(Bool.self) {
            self = .bool(b)
        } else if let i = try? container.decode(Int64.self) {
            self = .integer(String(i))
        } else if let u = try? container.decode(UInt64.self) {
            self = .integer(String(u))
        } else if let d = try? container.decode(Double.self) {
            self = .double(d)
        } else if let s = try? container.decode(String.self) {
            self = .string(s)
        } else if let a = try? container.decode([JSONValue].self) {
            self = .array(a)
        } else if let o = try? container.decode([String: JSONValue].self) {
            self = .object(o)
        } else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "expected a JSON value (null, bool, number, string, array or object)")
        }
    }

    /// Encodes the value; integers past 38 significant digits throw `EncodingError.invalidValue`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null:
            try container.encodeNil()
        case .bool(let b):
            try container.encode(b)
        case .integer(let digits):
            guard let normalized = JSONNumberText.normalizedInteger(digits) else {
                throw EncodingError.invalidValue(
                    self,
                    EncodingError.Context(
                        codingPath: encoder.codingPath,
                        debugDescription: "the integer text \"\(digits.prefix(40))\" is not decimal digits"))
            }
            if let i = Int64(normalized) {
                try container.encode(i)
            } else if let u = UInt64(normalized) {
                try container.encode(u)
            } else if let decimal = Decimal(string: normalized, locale: Locale(identifier: "en_US_POSIX")),
                decimal.description == normalized
            {
                try container.encode(decimal)
            } else {
                throw EncodingError.invalidValue(
                    self,
                    EncodingError.Context(
                        codingPath: encoder.codingPath,
                        debugDescription: "the integer \(normalized.prefix(40))… has more than 38 significant digits, too many for Encodable; write it with canonicalBytes()"))
            }
        case .double(let d):
            try container.encode(d)
        case .string(let s):
            try container.encode(s)
        case .array(let a):
            try container.encode(a)
        case .object(let o):
            try container.encode(o)
        }
    }
}
