import Foundation

/// Canonical JSON for `Codable` types: the bytes Assay hashes and signs.
///
/// The format is ``JSONValue``'s: RFC 8785 (JCS) with integers kept exactly. Encoding goes
/// through Foundation's `JSONEncoder` (which writes `Int64` and `UInt64` digits exactly and
/// doubles so they round-trip), then ``JSONValue/parse(_:maxDepth:)``, then
/// ``JSONValue/canonicalBytes()``; so the bytes never depend on property order, dictionary order
/// or encoder settings.
///
/// ```swift
/// struct Params: Codable { var threshold: Double; var windows: [Int] }
/// let bytes = try CanonicalJSON.encode(Params(threshold: 0.05, windows: [1000]))
/// // {"threshold":0.05,"windows":[1000]}
/// let back = try CanonicalJSON.decode(Params.self, from: bytes)
/// ```
public enum CanonicalJSON {
    /// The canonical JSON bytes of an `Encodable` value.
    ///
    /// Deterministic: the same value gives the same bytes in every process and on every
    /// platform. A `Double` field holding `2.0` is written `2`, like the integer `2`.
    ///
    /// - Throws: `EncodingError` from `JSONEncoder` (NaN or infinite doubles, among others), or
    ///   ``JSONError``.
    public static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        if let json = value as? JSONValue {
            return try json.canonicalBytes()
        }
        let encoder = JSONEncoder()
        let data = try encoder.encode(value)
        return try JSONValue.parse(data).canonicalBytes()
    }

    /// The canonical JSON text of an `Encodable` value; see ``encode(_:)``.
    public static func encodeString<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encode(value), as: UTF8.self)
    }

    /// Decodes a value from JSON bytes, after checking them strictly.
    ///
    /// The bytes need not be canonical, but they must pass ``JSONValue/parse(_:maxDepth:)``
    /// (no duplicate keys, no lone surrogates, well-formed UTF-8, at most 512 levels deep).
    /// The value is then decoded by `JSONDecoder` from the canonical form, so equal canonical
    /// forms always decode alike. Decoding `JSONValue` itself skips `JSONDecoder` and keeps
    /// integers of any size exactly.
    ///
    /// - Throws: ``JSONError``: a parse error with its byte offset, line and column, or
    ///   ``JSONError/Code-swift.enum/decodingFailed`` with the path of the field that did not
    ///   match (`$.detectors[2].p_value: expected Double, found a string`).
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let value = try JSONValue.parse(bytes)
        if let json = value as? T {
            return json
        }
        let canonical = try value.canonicalBytes()
        do {
            return try JSONDecoder().decode(T.self, from: Data(canonical))
        } catch let error as DecodingError {
            throw JSONError(decoding: error, type: T.self)
        }
    }

    /// Whether `bytes` are exactly the canonical JSON of the value they hold.
    ///
    /// `false` for bytes that do not parse. Use it to check a stored or received document
    /// before trusting its hash.
    public static func isCanonical(_ bytes: [UInt8]) -> Bool {
        guard let value = try? JSONValue.parse(bytes),
            let canonical = try? value.canonicalBytes()
        else { return false }
        return canonical == bytes
    }
}

extension JSONError {
    /// Wraps a `DecodingError` with the coding path written `$.a[2].b`.
    init(decoding error: DecodingError, type: Any.Type) {
        func path(_ codingPath: [any CodingKey]) -> String {
            var text = "$"
            for key in codingPath {
                if let i = key.intValue {
                    text += "[\(i)]"
                } else {
                    text += JSONError.component(forKey: key.stringValue)
                }
            }
            return text
        }
        let hint = "Check the field against what \(type) expects"
        switch error {
        case .typeMismatch(let expected, let context):
            self.init(
                code: .decodingFailed,
                message: context.debugDescription.isEmpty ? "expected \(expected)" : context.debugDescription,
                hint: hint,
                path: path(context.codingPath))
        case .valueNotFound(let expected, let context):
            self.init(
                code: .decodingFailed,
                message: context.debugDescription.isEmpty ? "expected \(expected), found null" : context.debugDescription,
                hint: hint,
                path: path(context.codingPath))
        case .keyNotFound(let key, let context):
            self.init(
                code: .decodingFailed,
                message: "missing the required key \"\(key.stringValue)\"",
                hint: "Add the key \"\(key.stringValue)\"",
                path: path(context.codingPath))
        case .dataCorrupted(let context):
            self.init(
                code: .decodingFailed, message: context.debugDescription, hint: hint,
                path: path(context.codingPath))
        @unknown default:
            self.init(code: .decodingFailed, message: "\(error)", hint: hint, path: "$")
        }
    }
}
