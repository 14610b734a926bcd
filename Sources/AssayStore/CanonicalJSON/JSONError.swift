/// An error from parsing JSON text or from writing a ``JSONValue`` as canonical JSON.
///
/// A parse error carries the place: ``offset`` (0-based byte offset), ``line`` and ``column``
/// (1-based; the column counts Unicode scalars, lines end at `\n`). An error found in a value
/// rather than in text (a NaN, a malformed integer, a failed `Decodable` conversion) carries a
/// ``path`` such as `$.detectors[2].p_value` instead. ``description`` reads
/// *where: what. what to do*:
///
/// ```text
/// line 3, column 9 (byte 41): duplicate key "seed" in object. Keep one member per key.
/// ```
///
/// Every `JSONError` is an input error (``ErrorCategory/usage``): the data is wrong, not the
/// program.
public struct JSONError: CategorizedError, Sendable, Hashable {
    /// What went wrong, for code that branches on it.
    public enum Code: String, Sendable, Hashable {
        /// The input holds no JSON value (nothing, or only whitespace).
        case emptyInput
        /// The input ended in the middle of a value.
        case unexpectedEnd
        /// A byte that cannot start or continue the expected token.
        case unexpectedCharacter
        /// More non-whitespace after the complete top-level value.
        case trailingCharacters
        /// Bytes that are not well-formed UTF-8.
        case invalidUTF8
        /// A backslash escape that JSON does not define, or a malformed `\uXXXX`.
        case invalidEscape
        /// A `\uXXXX` escape of a high surrogate without its low surrogate, or of a lone low one.
        case loneSurrogate
        /// An unescaped control character (below U+0020) inside a string.
        case controlCharacterInString
        /// A number that breaks the RFC 8259 grammar (leading zero, missing digits).
        case invalidNumber
        /// A number with a fraction or exponent whose magnitude does not fit a double.
        case numberOutOfRange
        /// `NaN`, `Infinity` or `-Infinity`, in text or in a ``JSONValue/double(_:)``.
        case nonFiniteNumber
        /// An object that names the same key twice.
        case duplicateKey
        /// Arrays and objects nested deeper than the parser's `maxDepth`.
        case tooDeep
        /// A ``JSONValue/integer(_:)`` whose text is not `-?[0-9]+`.
        case invalidInteger
        /// A `Decodable` type did not match the JSON.
        case decodingFailed
        /// An `Encodable` value could not be turned into JSON.
        case encodingFailed
    }

    /// What went wrong.
    public var code: Code
    /// What was found and what was expected, without the place.
    public var message: String
    /// What to do about it.
    public var hint: String
    /// Byte offset into the input (0-based), for parse errors.
    public var offset: Int?
    /// Line of ``offset`` (1-based), for parse errors.
    public var line: Int?
    /// Column of ``offset`` in Unicode scalars (1-based), for parse errors.
    public var column: Int?
    /// Where in a value the problem is (`$`, `$.a[3].b`), for errors found in values.
    public var path: String?

    /// Always ``ErrorCategory/usage``: bad JSON or a value that has no JSON form.
    public var category: ErrorCategory { .usage }

    /// Makes an error; parse errors get their place from the parser.
    public init(
        code: Code, message: String, hint: String,
        offset: Int? = nil, line: Int? = nil, column: Int? = nil, path: String? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.offset = offset
        self.line = line
        self.column = column
        self.path = path
    }

    /// *where: what. what to do*, for example
    /// `line 1, column 9 (byte 8): expected ',' or '}' after an object member, found 'x'. Fix
    /// the JSON syntax at that place.`
    public var description: String {
        var text = ""
        if let line, let column, let offset {
            text = "line \(line), column \(column) (byte \(offset)): "
        } else if let offset {
            text = "byte \(offset): "
        }
        if let path {
            text += "\(path): "
        }
        text += message
        if !hint.isEmpty {
            text += (message.hasSuffix(".") ? " " : ". ") + hint
            if !hint.hasSuffix(".") { text += "." }
        }
        return text
    }
}

extension JSONError {
    /// Adds a path component on the way out of a nested value: `[3]` or `.key`.
    func inside(_ component: String) -> JSONError {
        var copy = self
        let rest = copy.path.map { String($0.dropFirst()) } ?? ""  // drop "$"
        copy.path = "$" + component + rest
        return copy
    }

    /// A path component for an object key: `.name` when it is a plain identifier, else
    /// `["the key"]`.
    static func component(forKey key: String) -> String {
        let plain = !key.isEmpty && key.utf8.allSatisfy { b in
            (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) || (b >= 0x30 && b <= 0x39)
                || b == 0x5F || b == 0x2D
        }
        if plain { return "." + key }
        let escaped = key.unicodeScalars.map { s -> String in
            switch s {
            case "\"": return "\\\""
            case "\\": return "\\\\"
            default:
                return s.value < 0x20 ? "\\u{\(String(s.value, radix: 16))}" : String(s)
            }
        }.joined()
        return "[\"" + escaped + "\"]"
    }
}
