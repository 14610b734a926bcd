extension JSONValue {
    /// The canonical JSON bytes of this value (UTF-8, no trailing newline).
    ///
    /// The rules are RFC 8785 (JCS) with exact integers; see ``JSONValue`` for the full list.
    /// The output depends only on the value: never on dictionary order, locale or platform, so
    /// its SHA-256 can identify the value.
    ///
    /// - Throws: ``JSONError`` with a ``JSONError/path`` for a NaN or infinite
    ///   ``double(_:)`` (``JSONError/Code-swift.enum/nonFiniteNumber``) or an
    ///   ``integer(_:)`` whose text is not `-?[0-9]+` (``JSONError/Code-swift.enum/invalidInteger``).
    /// - Complexity: O(n) in the output size, plus sorting each object's keys.
    public func canonicalBytes() throws(JSONError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(128)
        try writeCanonical(into: &out)
        return out
    }

    /// The canonical JSON text of this value; see ``canonicalBytes()``.
    public var canonicalString: String {
        get throws(JSONError) {
            String(decoding: try canonicalBytes(), as: UTF8.self)
        }
    }

    private func writeCanonical(into out: inout [UInt8]) throws(JSONError) {
        switch self {
        case .null:
            out.append(contentsOf: "null".utf8)
        case .bool(let b):
            out.append(contentsOf: (b ? "true" : "false").utf8)
        case .integer(let digits):
            guard let normalized = JSONNumberText.normalizedInteger(digits) else {
                let shown = digits.count > 40 ? String(digits.prefix(40)) + "…" : digits
                throw JSONError(
                    code: .invalidInteger,
                    message: "the integer text \"\(shown)\" is not decimal digits with an optional '-'",
                    hint: "Build integers with JSONValue(_:) from a Swift integer, or pass digits only",
                    path: "$")
            }
            out.append(contentsOf: normalized.utf8)
        case .double(let d):
            guard d.isFinite else {
                throw JSONError(
                    code: .nonFiniteNumber,
                    message: "\(d) has no JSON form",
                    hint: "Replace it with null or a finite number before writing canonical JSON",
                    path: "$")
            }
            out.append(contentsOf: JSONNumberText.ecmaScript(d).utf8)
        case .string(let s):
            Self.writeCanonicalString(s, into: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                do {
                    try element.writeCanonical(into: &out)
                } catch {
                    throw error.inside("[\(i)]")
                }
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, key) in Self.canonicalKeyOrder(members.keys).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeCanonicalString(key, into: &out)
                out.append(UInt8(ascii: ":"))
                do {
                    try (members[key] ?? .null).writeCanonical(into: &out)
                } catch {
                    throw error.inside(JSONError.component(forKey: key))
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Keys in JCS order: compared as sequences of UTF-16 code units.
    static func canonicalKeyOrder(_ keys: some Sequence<String>) -> [String] {
        keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
    }

    /// Writes a string with JCS escaping: `"` `\` and the controls below U+0020 only.
    static func writeCanonicalString(_ s: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Fast path: most strings (ids, names, roles) need no escaping at all.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            out.append(contentsOf: s.utf8)
            out.append(UInt8(ascii: "\""))
            return
        }
        for b in s.utf8 {
            switch b {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(lowercaseHexDigit(b >> 4))
                out.append(lowercaseHexDigit(b & 0xF))
            default:
                out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}

private func lowercaseHexDigit(_ nibble: UInt8) -> UInt8 {
    nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
}

/// Number text: integer normalisation and ECMAScript double formatting.
enum JSONNumberText {
    /// `-?[0-9]+` with leading zeros removed and `-0` made `0`; `nil` for anything else.
    static func normalizedInteger(_ text: String) -> String? {
        let utf8 = text.utf8
        var digits = utf8[...]
        var negative = false
        if digits.first == UInt8(ascii: "-") {
            negative = true
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty,
            digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") })
        else { return nil }
        let significant = digits.drop { $0 == UInt8(ascii: "0") }
        if significant.isEmpty { return "0" }
        // Already normal: return the original without copying.
        if significant.count == digits.count { return text }
        return (negative ? "-" : "") + String(decoding: significant, as: UTF8.self)
    }

    /// ECMAScript `Number.prototype.toString` for a finite double (ECMA-262, Number::toString):
    /// the shortest decimal digits that round-trip, in fixed notation for 1e-7 <= |x| < 1e21,
    /// otherwise as `d[.ddd]e±n`; `-0.0` gives `0`.
    ///
    /// The digits come from Swift's `description`, which prints the shortest digits that
    /// round-trip and, among those, the closest to the exact value (SwiftDtoa) — what
    /// ECMAScript asks for. Only the layout is redone here.
    static func ecmaScript(_ x: Double) -> String {
        precondition(x.isFinite, "ecmaScript(_:) needs a finite double")
        if x == 0 { return "0" }
        // Swift writes fixed notation ("123.456", "0.001", "100.0") only for exponents well inside
        // ECMAScript's fixed range (1e-7 <= |x| < 1e21), with the same shortest digits: then the
        // only change is dropping an integer's ".0".
        let swift = x.description
        if !swift.utf8.contains(UInt8(ascii: "e")) {
            if swift.utf8.count > 2, swift.utf8.last == UInt8(ascii: "0"), swift.utf8.dropLast().last == UInt8(ascii: ".") {
                return String(swift.dropLast(2))
            }
            return swift
        }
        return layout(x, swift: swift)
    }

    /// The ECMAScript layout of `x` from Swift's `description` of it, for any finite nonzero `x`.
    static func layout(_ x: Double, swift: String) -> String {
        // Parse Swift's layout ("1.25e-07", "0.001", "100.0") into digits s and exponent n,
        // so that x = 0.s × 10^n.
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        var pointPosition: Int? = nil
        var exponent = 0
        var exponentNegative = false
        var inExponent = false
        for b in (x < 0 ? swift.utf8.dropFirst() : swift.utf8[...]) {
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                if inExponent {
                    exponent = exponent * 10 + Int(b - UInt8(ascii: "0"))
                } else {
                    digits.append(b)
                }
            case UInt8(ascii: "."):
                pointPosition = digits.count
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                inExponent = true
            case UInt8(ascii: "-"):
                exponentNegative = true
            default:
                break  // "+"
            }
        }
        if exponentNegative { exponent = -exponent }
        var leadingZeros = 0
        while leadingZeros < digits.count - 1, digits[leadingZeros] == UInt8(ascii: "0") {
            leadingZeros += 1
        }
        var n = (pointPosition ?? digits.count) - leadingZeros + exponent
        var s = Array(digits[leadingZeros...])
        while s.count > 1, s.last == UInt8(ascii: "0") {
            s.removeLast()
        }
        if s.count == 1, s[0] == UInt8(ascii: "0") { n = 1 }  // unreachable for x != 0
        let k = s.count

        var out: [UInt8] = []
        out.reserveCapacity(k + 8)
        if x < 0 { out.append(UInt8(ascii: "-")) }
        if k <= n && n <= 21 {
            out.append(contentsOf: s)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: n - k))
        } else if 0 < n && n <= 21 {
            out.append(contentsOf: s[0..<n])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: s[n...])
        } else if -6 < n && n <= 0 {
            out.append(contentsOf: "0.".utf8)
            out.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: -n))
            out.append(contentsOf: s)
        } else {
            out.append(s[0])
            if k > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: s[1...])
            }
            out.append(UInt8(ascii: "e"))
            let e = n - 1
            out.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            out.append(contentsOf: String(e.magnitude).utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }
}
