extension JSONValue {
    /// Parses one JSON value from UTF-8 bytes, strictly.
    ///
    /// The grammar is RFC 8259's, with no extensions: no comments, no trailing commas, no
    /// byte-order mark, no `NaN` or `Infinity`, no single quotes, no leading zeros. On top of the
    /// grammar it rejects, as I-JSON (RFC 7493) does: bytes that are not well-formed UTF-8 (also
    /// overlong forms and encoded surrogates), `\uXXXX` escapes that leave a lone surrogate,
    /// duplicate object keys (compared as Swift strings, so keys that differ only by Unicode
    /// normalisation count as duplicates), and fractional or exponent numbers too large for a
    /// double (`1e400`). Numbers without fraction or exponent become ``integer(_:)`` with their
    /// exact digits, whatever their size; the others become ``double(_:)`` rounded correctly
    /// (`1e-400` becomes `0`).
    ///
    /// - Parameters:
    ///   - bytes: UTF-8 JSON text. Contiguous collections (`[UInt8]`, `Data`, `String.UTF8View`)
    ///     are read in place; others are copied once.
    ///   - maxDepth: the deepest nesting of arrays and objects accepted; `[[1]]` has depth 2.
    ///     Keeps hostile input from exhausting the stack.
    /// - Returns: the value.
    /// - Throws: ``JSONError`` with the byte offset, line and column of the first problem.
    /// - Complexity: O(n) in the input length, plus O(k log k) per object of k members when
    ///   canonicalised later.
    public static func parse(
        _ bytes: some Collection<UInt8>, maxDepth: Int = 512
    ) throws(JSONError) -> JSONValue {
        let result: Result<JSONValue, JSONError>? = bytes.withContiguousStorageIfAvailable {
            buffer in
            var parser = JSONParser(buffer, maxDepth: maxDepth)
            return Result { () throws(JSONError) in try parser.parseDocument() }
        }
        if let result {
            return try result.get()
        }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer throws(JSONError) in
            var parser = JSONParser(buffer, maxDepth: maxDepth)
            return try parser.parseDocument()
        }
    }

    /// Parses one JSON value from a string; see ``parse(_:maxDepth:)``.
    public static func parse(_ text: String, maxDepth: Int = 512) throws(JSONError) -> JSONValue {
        var text = text
        text.makeContiguousUTF8()
        return try parse(text.utf8, maxDepth: maxDepth)
    }
}

/// A recursive-descent parser over a byte buffer that outlives it.
struct JSONParser {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private let maxDepth: Int
    private var depth = 0

    init(_ bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    mutating func parseDocument() throws(JSONError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF {
            throw error(
                .unexpectedCharacter, at: 0, "found a UTF-8 byte-order mark",
                hint: "Remove the three bytes EF BB BF at the start; JSON text has no byte-order mark")
        }
        skipWhitespace()
        if index == bytes.count {
            throw error(
                .emptyInput, at: index, "expected a JSON value, found no value",
                hint: "Provide a JSON document; the input is empty or only whitespace")
        }
        let value = try parseValue()
        skipWhitespace()
        if index != bytes.count {
            throw error(
                .trailingCharacters, at: index,
                "expected the end of input after the JSON value, found \(found(index))",
                hint: "Remove what follows the value, or wrap several values in an array")
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue() throws(JSONError) -> JSONValue {
        guard index < bytes.count else {
            throw endError("expected a value")
        }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return try parseObject()
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        case UInt8(ascii: "N"), UInt8(ascii: "I"):
            if hasPrefix("NaN") || hasPrefix("Infinity") {
                throw error(
                    .nonFiniteNumber, at: index,
                    "found \(hasPrefix("NaN") ? "NaN" : "Infinity"), which is not a JSON value",
                    hint: "Write null or a finite number instead")
            }
            fallthrough
        default:
            throw error(
                .unexpectedCharacter, at: index,
                "expected a value (object, array, string, number, true, false or null), found \(found(index))",
                hint: "Fix the JSON syntax at that place")
        }
    }

    private mutating func parseObject() throws(JSONError) -> JSONValue {
        let open = index
        try enterContainer(at: open)
        index += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object(members)
        }
        while true {
            guard index < bytes.count else {
                throw endError("expected a string key in the object opened at \(place(open))")
            }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw error(
                    .unexpectedCharacter, at: index,
                    "expected a string key in double quotes, found \(found(index))",
                    hint: bytes[index] == UInt8(ascii: "}")
                        ? "Remove the trailing comma before '}'"
                        : "Quote the key with double quotes")
            }
            let keyStart = index
            let key = try parseString()
            if members.index(forKey: key) != nil {
                throw error(
                    .duplicateKey, at: keyStart,
                    "duplicate key \(quoted(key)) in the object opened at \(place(open))",
                    hint: "Keep one member per key")
            }
            skipWhitespace()
            guard index < bytes.count else {
                throw endError("expected ':' after the key \(quoted(key))")
            }
            guard bytes[index] == UInt8(ascii: ":") else {
                throw error(
                    .unexpectedCharacter, at: index,
                    "expected ':' after the key \(quoted(key)), found \(found(index))",
                    hint: "Separate each key from its value with ':'")
            }
            index += 1
            skipWhitespace()
            members[key] = try parseValue()
            skipWhitespace()
            guard index < bytes.count else {
                throw endError("expected ',' or '}' to continue the object opened at \(place(open))")
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "}"):
                index += 1
                depth -= 1
                return .object(members)
            default:
                throw error(
                    .unexpectedCharacter, at: index,
                    "expected ',' or '}' after an object member, found \(found(index))",
                    hint: "Separate members with ',' and close the object with '}'")
            }
        }
    }

    private mutating func parseArray() throws(JSONError) -> JSONValue {
        let open = index
        try enterContainer(at: open)
        index += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            guard index < bytes.count else {
                throw endError("expected a value in the array opened at \(place(open))")
            }
            if bytes[index] == UInt8(ascii: "]") {
                throw error(
                    .unexpectedCharacter, at: index, "expected a value after ',', found ']'",
                    hint: "Remove the trailing comma before ']'")
            }
            elements.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else {
                throw endError("expected ',' or ']' to continue the array opened at \(place(open))")
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                index += 1
                skipWhitespace()
            case UInt8(ascii: "]"):
                index += 1
                depth -= 1
                return .array(elements)
            default:
                throw error(
                    .unexpectedCharacter, at: index,
                    "expected ',' or ']' after an array element, found \(found(index))",
                    hint: "Separate elements with ',' and close the array with ']'")
            }
        }
    }

    private mutating func enterContainer(at offset: Int) throws(JSONError) {
        depth += 1
        if depth > maxDepth {
            throw error(
                .tooDeep, at: offset,
                "arrays and objects are nested more than \(maxDepth) deep",
                hint: "Flatten the document; the limit protects against hostile input")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONError) {
        let start = index
        let text = literal.description
        for expected in text.utf8 {
            guard index < bytes.count else {
                throw endError("expected '\(text)'")
            }
            guard bytes[index] == expected else {
                throw error(
                    .unexpectedCharacter, at: start,
                    "expected a value such as '\(text)', found \(found(start))",
                    hint: "Literals are lowercase true, false and null; quote strings with double quotes")
            }
            index += 1
        }
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONError) -> JSONValue {
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") {
            index += 1
        }
        guard index < bytes.count else {
            throw endError("expected a digit after '-'")
        }
        let firstDigit = bytes[index]
        if firstDigit == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw error(
                    .invalidNumber, at: start, "numbers cannot have leading zeros",
                    hint: "Remove the leading zeros, or quote the value if it is an identifier")
            }
        } else if isDigit(firstDigit) {
            skipDigits()
        } else {
            if hasPrefix("Infinity") {
                throw error(
                    .nonFiniteNumber, at: start, "found -Infinity, which is not a JSON value",
                    hint: "Write null or a finite number instead")
            }
            throw error(
                .invalidNumber, at: index, "expected a digit after '-', found \(found(index))",
                hint: "Write the number as -123, -0.5 or -1e-3")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            guard index < bytes.count else { throw endError("expected a digit after '.'") }
            guard isDigit(bytes[index]) else {
                throw error(
                    .invalidNumber, at: index, "expected a digit after '.', found \(found(index))",
                    hint: "Write at least one digit after the decimal point (1.0, not 1.)")
            }
            skipDigits()
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count else { throw endError("expected a digit in the exponent") }
            guard isDigit(bytes[index]) else {
                throw error(
                    .invalidNumber, at: index,
                    "expected a digit in the exponent, found \(found(index))",
                    hint: "Write the exponent as e5, e+5 or e-5")
            }
            skipDigits()
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger {
            return .integer(text == "-0" ? "0" : text)
        }
        guard let value = Double(text), value.isFinite else {
            throw error(
                .numberOutOfRange, at: start,
                "the number \(text.count > 40 ? String(text.prefix(40)) + "…" : text) is too large for a 64-bit float",
                hint: "Use a number below 1.8e308 in magnitude, or write it without fraction and exponent to keep it as an exact integer")
        }
        return .double(value)
    }

    private mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) {
            index += 1
        }
    }

    private func isDigit(_ b: UInt8) -> Bool {
        b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")
    }

    // MARK: Strings

    /// Parses a string starting at its opening quote; leaves `index` after the closing quote.
    private mutating func parseString() throws(JSONError) -> String {
        let open = index
        index += 1
        // Fast path: printable ASCII without escapes.
        let runStart = index
        while index < bytes.count {
            let b = bytes[index]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[runStart..<index]), as: UTF8.self)
                index += 1
                return s
            }
            if b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { break }
            index += 1
        }
        var utf8: [UInt8] = []
        utf8.reserveCapacity(index - runStart + 16)
        utf8.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
        while true {
            guard index < bytes.count else {
                throw endError("expected '\"' to close the string that starts at \(place(open))")
            }
            let b = bytes[index]
            switch b {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: utf8, as: UTF8.self)  // validated: no replacement happens
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0x00..<0x20:
                throw error(
                    .controlCharacterInString, at: index,
                    "found the control character U+\(hex4(UInt32(b))) unescaped in a string",
                    hint: b == 0x0A
                        ? "Write a line break inside a string as \\n, or close the string with '\"'"
                        : "Escape it as \\u\(hex4(UInt32(b)).lowercased())")
            case 0x20..<0x80:
                utf8.append(b)
                index += 1
            default:
                let length = try validateUTF8Sequence()
                utf8.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[index..<index + length]))
                index += length
            }
        }
    }

    /// Checks the multi-byte UTF-8 sequence at `index` (Unicode table 3-7) and returns its length.
    private func validateUTF8Sequence() throws(JSONError) -> Int {
        let lead = bytes[index]
        let length: Int
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default:
            throw invalidUTF8(at: index)
        }
        for k in 1..<length {
            let i = index + k
            guard i < bytes.count else {
                throw invalidUTF8(at: index, truncated: true)
            }
            let b = bytes[i]
            let (lo, hi) = k == 1 ? (low, high) : (UInt8(0x80), UInt8(0xBF))
            guard b >= lo && b <= hi else {
                throw invalidUTF8(at: index)
            }
        }
        return length
    }

    private func invalidUTF8(at offset: Int, truncated: Bool = false) -> JSONError {
        let shown = bytes[offset..<min(offset + 4, bytes.count)]
            .map { "0x" + hex2($0) }.joined(separator: " ")
        return error(
            .invalidUTF8, at: offset,
            truncated
                ? "the input ends inside a UTF-8 sequence (\(shown))"
                : "found bytes that are not well-formed UTF-8 (\(shown))",
            hint: "Save the file as UTF-8; JSON text must be UTF-8")
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONError) {
        let start = index
        index += 1  // backslash
        guard index < bytes.count else { throw endError("expected an escape character after '\\'") }
        let c = bytes[index]
        index += 1
        switch c {
        case UInt8(ascii: "\""): utf8.append(0x22)
        case UInt8(ascii: "\\"): utf8.append(0x5C)
        case UInt8(ascii: "/"): utf8.append(0x2F)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escapeStart: start)
            var scalarValue = unit
            if (0xD800...0xDBFF).contains(unit) {
                // A high surrogate must be followed by an escaped low surrogate.
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                else {
                    throw error(
                        .loneSurrogate, at: start,
                        "the escape \\u\(hex4(unit).lowercased()) is a high surrogate without a low surrogate after it",
                        hint: "Escape a character outside the BMP as a surrogate pair (\\ud83d\\ude00), or write it as UTF-8")
                }
                let secondStart = index
                index += 2
                let second = try parseHex4(escapeStart: secondStart)
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw error(
                        .loneSurrogate, at: start,
                        "the escape \\u\(hex4(unit).lowercased()) is a high surrogate followed by \\u\(hex4(second).lowercased()), not by a low surrogate",
                        hint: "Escape a character outside the BMP as a surrogate pair (\\ud83d\\ude00), or write it as UTF-8")
                }
                scalarValue = 0x10000 + ((unit - 0xD800) << 10) + (second - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(unit) {
                throw error(
                    .loneSurrogate, at: start,
                    "the escape \\u\(hex4(unit).lowercased()) is a low surrogate without a high surrogate before it",
                    hint: "Escape a character outside the BMP as a surrogate pair (\\ud83d\\ude00), or write it as UTF-8")
            }
            // Every value left is a valid scalar: surrogates are handled above.
            appendUTF8(scalarValue, to: &utf8)
        default:
            index = start
            throw error(
                .invalidEscape, at: start,
                "found the escape \\\(printable(c)), which JSON does not define",
                hint: "Use one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX; write a literal backslash as \\\\")
        }
    }

    /// Reads the four hex digits after `\u`; `index` is at the first digit.
    private mutating func parseHex4(escapeStart: Int) throws(JSONError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw endError("expected four hex digits after \\u") }
            let b = bytes[index]
            let digit: UInt32
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(b - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(b - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(b - UInt8(ascii: "A") + 10)
            default:
                throw error(
                    .invalidEscape, at: escapeStart,
                    "expected four hex digits after \\u, found \(found(index))",
                    hint: "Write the escape as \\u followed by exactly four hex digits, such as \\u00e9")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    // MARK: Whitespace and lookahead

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func hasPrefix(_ literal: StaticString) -> Bool {
        var i = index
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let text = literal.description.utf8
        guard bytes.count - i >= text.count else { return false }
        return text.enumerated().allSatisfy { bytes[i + $0.offset] == $0.element }
    }

    // MARK: Errors

    private func error(_ code: JSONError.Code, at offset: Int, _ message: String, hint: String) -> JSONError {
        let (line, column) = location(of: offset)
        return JSONError(code: code, message: message, hint: hint, offset: offset, line: line, column: column)
    }

    private func endError(_ expected: String) -> JSONError {
        error(
            .unexpectedEnd, at: bytes.count, "\(expected), found the end of input",
            hint: "The JSON text is truncated; check that the whole file was written or copied")
    }

    /// Line and column (1-based) of a byte offset; columns count Unicode scalars.
    private func location(of offset: Int) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            if b == 0x0A {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return (line, column)
    }

    private func place(_ offset: Int) -> String {
        let (line, column) = location(of: offset)
        return "line \(line), column \(column)"
    }

    /// Names the byte at `offset` for a message: `'x'`, `byte 0xC3`, or `the end of input`.
    private func found(_ offset: Int) -> String {
        guard offset < bytes.count else { return "the end of input" }
        let b = bytes[offset]
        if b >= 0x21 && b < 0x7F { return "'\(Character(Unicode.Scalar(b)))'" }
        switch b {
        case 0x20: return "a space"
        case 0x0A: return "a line break"
        default: return "byte 0x\(hex2(b))"
        }
    }

    private func printable(_ b: UInt8) -> String {
        b >= 0x21 && b < 0x7F ? String(Character(Unicode.Scalar(b))) : "<0x\(hex2(b))>"
    }

    private func quoted(_ key: String) -> String {
        let shown = key.count > 60 ? String(key.prefix(60)) + "…" : key
        return "\"" + shown + "\""
    }
}

/// Appends the UTF-8 form of a scalar value (not a surrogate, at most 0x10FFFF).
private func appendUTF8(_ v: UInt32, to out: inout [UInt8]) {
    switch v {
    case 0..<0x80:
        out.append(UInt8(v))
    case 0x80..<0x800:
        out.append(UInt8(0xC0 | v >> 6))
        out.append(UInt8(0x80 | v & 0x3F))
    case 0x800..<0x10000:
        out.append(UInt8(0xE0 | v >> 12))
        out.append(UInt8(0x80 | v >> 6 & 0x3F))
        out.append(UInt8(0x80 | v & 0x3F))
    default:
        out.append(UInt8(0xF0 | v >> 18))
        out.append(UInt8(0x80 | v >> 12 & 0x3F))
        out.append(UInt8(0x80 | v >> 6 & 0x3F))
        out.append(UInt8(0x80 | v & 0x3F))
    }
}

private func hex2(_ b: UInt8) -> String {
    let s = String(b, radix: 16, uppercase: true)
    return s.count < 2 ? "0" + s : s
}

private func hex4(_ v: UInt32) -> String {
    let s = String(v, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}
