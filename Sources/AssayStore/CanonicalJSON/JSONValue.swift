/// A JSON value that keeps integers exactly and serialises to Assay's canonical JSON.
///
/// Assay's canonical JSON is RFC 8785, the JSON Canonicalization Scheme (JCS), with one
/// extension for integers:
///
/// - Object members are sorted by their keys compared as arrays of UTF-16 code units.
/// - There is no insignificant whitespace.
/// - Strings are escaped as JCS says: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other control
///   characters below U+0020 as `\u00XX` with lowercase hex digits; every other character is
///   written literally as UTF-8, including U+007F, U+2028, U+2029 and characters outside the
///   Basic Multilingual Plane. `/` is not escaped.
/// - A ``double(_:)`` is written as ECMAScript's `Number.prototype.toString` writes it: the
///   shortest digits that round-trip, fixed notation for 1e-7 <= |x| < 1e21 (`0.000001`,
///   `100000000000000000000`), otherwise exponent notation (`1e+21`, `1.5e-7`); `-0.0` is
///   written `0`. NaN and the infinities have no JSON form and are rejected.
/// - **The extension:** an ``integer(_:)`` — a JSON number written without a fraction or an
///   exponent, or a Swift integer — is kept as its exact decimal digits, of any size, and written
///   normalised (no leading zeros, `-0` becomes `0`). So 2^53 + 1, 2^64 and -2^63 survive a round
///   trip exactly, where plain JCS would round them through a double. For integers with at most
///   15 significant digits the two agree byte for byte.
///
/// ``parse(_:maxDepth:)`` reads strict RFC 8259 JSON and also rejects duplicate object keys and
/// escaped lone surrogates (`"\ud800"`), as I-JSON (RFC 7493) requires.
///
/// ## Equality
///
/// Two values are equal exactly when their canonical forms are equal. So `.double(2.0) ==
/// .integer("2")`, `.integer("007") == .integer("7")` and `.double(-0.0) == .integer("0")`, while
/// `.double(1e21) != .integer("1000000000000000000000")` (the double is written `1e+21`). Strings
/// compare by their Unicode scalars, not by Swift's canonical equivalence, so `"é"` (U+00E9) and
/// `"e\u{301}"` are different values. This makes `parse(x.canonicalBytes()) == x` hold for every
/// value that can be canonicalised. One caveat comes from `Dictionary`: object keys are Swift
/// `String`s, so two keys that differ only by Unicode normalisation are the same key and one
/// object cannot hold both; ``parse(_:maxDepth:)`` reports them as a duplicate key.
///
/// ```swift
/// let value = try JSONValue.parse(Array(#"{"b": 18446744073709551616, "a": [1.50, "é"]}"#.utf8))
/// try value.canonicalString   // {"a":[1.5,"é"],"b":18446744073709551616}
/// ```
public indirect enum JSONValue: Sendable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer kept exactly, as decimal digits with an optional leading `-`.
    ///
    /// The digits need not be normalised (`"007"`, `"-0"`); ``canonicalBytes()`` normalises them
    /// and throws ``JSONError/Code-swift.enum/invalidInteger`` for anything that is not
    /// `-?[0-9]+`. Build one from a Swift integer with `JSONValue(_:)`.
    case integer(String)
    /// A binary64 floating-point number. Canonical JSON rejects NaN and the infinities.
    case double(Double)
    /// A string of Unicode scalars.
    case string(String)
    /// An ordered array.
    case array([JSONValue])
    /// An object; member order is irrelevant, the canonical form sorts keys.
    case object([String: JSONValue])
}

// MARK: - Initialisers

extension JSONValue {
    /// Wraps a Swift integer of any width exactly, as ``integer(_:)``.
    @inlinable
    public init(_ value: some BinaryInteger) {
        self = .integer(String(value))
    }

    /// Wraps a double, as ``double(_:)``.
    @inlinable
    public init(_ value: Double) {
        self = .double(value)
    }

    /// A float32 as the double of its shortest decimal form, which canonical JSON prints as that
    /// form (`0.1`, not `0.10000000149011612`) and which parses back to the same float32; `null`
    /// for NaN and infinities, which JSON cannot hold.
    public init(float32 value: Float) {
        guard value.isFinite else { self = .null; return }
        self = .double(Double("\(value)") ?? Double(value))
    }

    /// Wraps a string, as ``string(_:)``.
    @inlinable
    public init(_ value: String) {
        self = .string(value)
    }

    /// Wraps a Boolean, as ``bool(_:)``.
    @inlinable
    public init(_ value: Bool) {
        self = .bool(value)
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    /// `nil` is ``null``.
    public init(nilLiteral: ()) { self = .null }
    /// `true` and `false` are ``bool(_:)``.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `42` is ``integer(_:)``, exactly.
    public init(integerLiteral value: Int) { self = .integer(String(value)) }
    /// `0.5` is ``double(_:)``.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// `"text"` is ``string(_:)``.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `[1, "a"]` is ``array(_:)``.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    /// Builds an object; repeating a key is a programmer error and traps, as in `Dictionary`.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(uniqueKeysWithValues: elements))
    }
}

// MARK: - Accessors

extension JSONValue {
    /// `true` for ``null``.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The Boolean, or `nil` when this is not ``bool(_:)``.
    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    /// The value as an `Int64` when it is an integer in range: an ``integer(_:)`` whose digits
    /// fit, or a ``double(_:)`` that holds such an integer exactly (`2.0` gives `2`). Otherwise
    /// `nil`; never rounds.
    public var int64Value: Int64? {
        switch self {
        case .integer(let digits):
            return JSONNumberText.normalizedInteger(digits).flatMap { Int64($0) }
        case .double(let d):
            return Int64(exactly: d)
        default:
            return nil
        }
    }

    /// The value as an `Int` when it is an integer in range; see ``int64Value``.
    public var intValue: Int? {
        int64Value.flatMap { Int(exactly: $0) }
    }

    /// The value as a `Double`: a ``double(_:)`` as is, an ``integer(_:)`` rounded to the
    /// nearest double (exact up to 2^53). `nil` for other cases and malformed integer digits.
    public var doubleValue: Double? {
        switch self {
        case .double(let d):
            return d
        case .integer(let digits):
            return JSONNumberText.normalizedInteger(digits).flatMap { Double($0) }
        default:
            return nil
        }
    }

    /// The normalised decimal digits of an ``integer(_:)``, or of a ``double(_:)`` whose
    /// canonical form is an integer (`2.0` gives `"2"`); `nil` otherwise.
    public var integerDigits: String? {
        switch self {
        case .integer(let digits):
            return JSONNumberText.normalizedInteger(digits)
        case .double(let d):
            guard d.isFinite else { return nil }
            let text = JSONNumberText.ecmaScript(d)
            return JSONNumberText.normalizedInteger(text)
        default:
            return nil
        }
    }

    /// The string, or `nil` when this is not ``string(_:)``.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements, or `nil` when this is not ``array(_:)``.
    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The members, or `nil` when this is not ``object(_:)``.
    public var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The member named `key` of an object; `nil` when absent or when this is not an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let o) = self else { return nil }
        return o[key]
    }

    /// The element at `index` of an array; `nil` when out of range or when this is not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }
}

// MARK: - Equality: same canonical form

extension JSONValue: Hashable {
    /// A number's identity: its canonical text, so an integer and a double that print the
    /// same are equal.
    private enum NumberKey: Hashable {
        case text(String)
        case malformedInteger(String)
        case nonFinite(sign: Bool, isNaN: Bool)
    }

    private var numberKey: NumberKey? {
        switch self {
        case .integer(let digits):
            if let n = JSONNumberText.normalizedInteger(digits) { return .text(n) }
            return .malformedInteger(digits)
        case .double(let d):
            guard d.isFinite else {
                return .nonFinite(sign: d.isNaN ? false : d < 0, isNaN: d.isNaN)
            }
            return .text(JSONNumberText.ecmaScript(d))
        default:
            return nil
        }
    }

    /// Equal when the canonical forms are equal; see the type's discussion.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null):
            return true
        case (.bool(let a), .bool(let b)):
            return a == b
        case (.integer(let a), .integer(let b)) where a == b:
            return true
        case (.double(let a), .double(let b)) where a == b:
            return true
        case (.integer, .integer), (.integer, .double), (.double, .integer), (.double, .double):
            return lhs.numberKey == rhs.numberKey
        case (.string(let a), .string(let b)):
            return a.unicodeScalars.elementsEqual(b.unicodeScalars)
        case (.array(let a), .array(let b)):
            return a == b
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for (key, value) in a {
                // Look the key up, then insist the stored key has the same scalars: Dictionary
                // matches canonically equivalent strings.
                guard let index = b.index(forKey: key),
                    b[index].key.unicodeScalars.elementsEqual(key.unicodeScalars),
                    b[index].value == value
                else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// Hashes the canonical form's identity, consistent with ``==(_:_:)``.
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null:
            hasher.combine(0 as UInt8)
        case .bool(let b):
            hasher.combine(1 as UInt8)
            hasher.combine(b)
        case .integer, .double:
            hasher.combine(2 as UInt8)
            hasher.combine(numberKey)
        case .string(let s):
            hasher.combine(3 as UInt8)
            hasher.combine(s)  // consistent: scalar-equal strings are String-equal
        case .array(let a):
            hasher.combine(4 as UInt8)
            hasher.combine(a)
        case .object(let o):
            hasher.combine(5 as UInt8)
            hasher.combine(o.count)
            // Order-independent: combine member hashes commutatively.
            var members = 0
            for (key, value) in o {
                var member = Hasher()
                member.combine(key)
                member.combine(value)
                members ^= member.finalize()
            }
            hasher.combine(members)
        }
    }
}

extension JSONValue: CustomStringConvertible {
    /// The canonical JSON text, or a note saying why there is none (a NaN, say).
    public var description: String {
        do {
            return try canonicalString
        } catch {
            return "<not canonical JSON: \(error)>"
        }
    }
}
