import Foundation
import Testing

@testable import AssayStore

// Canonical JSON: RFC 8785 (JCS) with exact integers. Golden vectors come from RFC 8785 itself
// (section 3.2.2's example, section 3.2.3's sorting example, Appendix B's number table).

private func canonical(_ text: String) throws -> String {
    try JSONValue.parse(text).canonicalString
}

private func parseError(_ bytes: [UInt8], maxDepth: Int = 512) -> JSONError? {
    do {
        _ = try JSONValue.parse(bytes, maxDepth: maxDepth)
        return nil
    } catch {
        return error
    }
}

private func parseError(_ text: String, maxDepth: Int = 512) -> JSONError? {
    parseError(Array(text.utf8), maxDepth: maxDepth)
}

// MARK: - RFC 8785 golden vectors

@Suite("canonical JSON: RFC 8785 vectors")
struct CanonicalJSONRFC8785Tests {
    /// RFC 8785 Appendix B: IEEE 754 binary64 bit patterns and their JSON form.
    static let appendixB: [(bits: UInt64, json: String)] = [
        (0x0000_0000_0000_0000, "0"),
        (0x8000_0000_0000_0000, "0"),
        (0x0000_0000_0000_0001, "5e-324"),
        (0x8000_0000_0000_0001, "-5e-324"),
        (0x7fef_ffff_ffff_ffff, "1.7976931348623157e+308"),
        (0xffef_ffff_ffff_ffff, "-1.7976931348623157e+308"),
        (0x4340_0000_0000_0000, "9007199254740992"),
        (0xc340_0000_0000_0000, "-9007199254740992"),
        (0x4430_0000_0000_0000, "295147905179352830000"),
        (0x44b5_2d02_c7e1_4af5, "9.999999999999997e+22"),
        (0x44b5_2d02_c7e1_4af6, "1e+23"),
        (0x44b5_2d02_c7e1_4af7, "1.0000000000000001e+23"),
        (0x444b_1ae4_d6e2_ef4e, "999999999999999700000"),
        (0x444b_1ae4_d6e2_ef4f, "999999999999999900000"),
        (0x444b_1ae4_d6e2_ef50, "1e+21"),
        (0x3eb0_c6f7_a0b5_ed8c, "9.999999999999997e-7"),
        (0x3eb0_c6f7_a0b5_ed8d, "0.000001"),
        (0x41b3_de43_5555_5553, "333333333.3333332"),
        (0x41b3_de43_5555_5554, "333333333.33333325"),
        (0x41b3_de43_5555_5555, "333333333.3333333"),
        (0x41b3_de43_5555_5556, "333333333.3333334"),
        (0x41b3_de43_5555_5557, "333333333.33333343"),
        (0xbecb_f647_612f_3696, "-0.0000033333333333333333"),
        (0x4314_3ff3_c1cb_0959, "1424953923781206.2"),
    ]

    @Test("Appendix B number serialisation", arguments: appendixB)
    func appendixBNumber(bits: UInt64, json: String) throws {
        let value = JSONValue.double(Double(bitPattern: bits))
        #expect(try value.canonicalString == json)
    }

    @Test("Appendix B: NaN and Infinity are rejected", arguments: [
        0x7fff_ffff_ffff_ffff as UInt64, 0x7ff0_0000_0000_0000, 0xfff0_0000_0000_0000,
    ])
    func appendixBNonFinite(bits: UInt64) {
        #expect(throws: JSONError.self) {
            try JSONValue.double(Double(bitPattern: bits)).canonicalBytes()
        }
    }

    @Test("section 3.2.2 example")
    func section322() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50,
                          2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected =
            #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try canonical(input) == expected)
    }

    @Test("section 3.2.3 sorting example: keys by UTF-16 code units")
    func section323() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let expected =
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\","
            + "\"\u{F6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20AC}\":\"Euro Sign\","
            + "\"\u{1F600}\":\"Emoji: Grinning Face\",\"\u{FB33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        #expect(try canonical(input) == expected)
        // The emoji (UTF-16 D83D DE00) sorts before U+FB33, though its code point is larger.
        let keys = ["\u{FB33}", "\u{1F600}"]
        let sorted = try JSONValue.object(["\u{FB33}": 1, "\u{1F600}": 2]).canonicalString
        #expect(sorted == "{\"\(keys[1])\":2,\"\(keys[0])\":1}")
    }
}

// MARK: - Numbers

@Suite("canonical JSON: numbers")
struct CanonicalJSONNumberTests {
    @Test("doubles print as ECMAScript does", arguments: [
        (0.1, "0.1"),
        (1e-7, "1e-7"),
        (-0.0, "0"),
        (1e300, "1e+300"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (1e-6, "0.000001"),
        (.leastNonzeroMagnitude, "5e-324"),  // 5e-324
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (333333333.33333329, "333333333.3333333"),
        (1.2345678901234568e20, "123456789012345680000"),  // 123456789012345680000
        (-1.5e-7, "-1.5e-7"),
        (2.0, "2"),
        (100, "100"),
        (0.000123, "0.000123"),
        (1.25e25, "1.25e+25"),
        (9007199254740992, "9007199254740992"),  // 2^53
    ] as [(Double, String)])
    func doubles(value: Double, json: String) throws {
        #expect(try JSONValue.double(value).canonicalString == json)
    }

    @Test("the fixed-notation shortcut lays doubles out as the general layout does")
    func fixedNotationShortcut() {
        var x: UInt64 = 99
        func next() -> UInt64 { x = x &* 6364136223846793005 &+ 1442695040888963407; return x }
        var values: [Double] = [1, -1, 0.5, 100, 123.456, 1e15, 9007199254740992, 9007199254740992.0.nextUp, 1e16, 1e-4, 1e-5, 0.1 + 0.2, 1e21, 1e-7]
        for _ in 0..<20_000 {
            values.append(Double(bitPattern: next()))
            values.append(Double(Int64(bitPattern: next()) >> Int(next() % 64)) / Double(1 << (next() % 30)))
            values.append(Double(Float(bitPattern: UInt32(truncatingIfNeeded: next()))))
        }
        for v in values where v.isFinite && v != 0 {
            #expect(JSONNumberText.ecmaScript(v) == JSONNumberText.layout(v, swift: v.description), "\(v)")
        }
    }

    @Test("numbers with a fraction or exponent parse as doubles", arguments: [
        ("0.1", "0.1"), ("1E-7", "1e-7"), ("-0.0", "0"), ("1e300", "1e+300"), ("1e21", "1e+21"),
        ("1.0e21", "1e+21"), ("1e-6", "0.000001"), ("5e-324", "5e-324"), ("4.9e-324", "5e-324"),
        ("1.7976931348623157e308", "1.7976931348623157e+308"),
        ("333333333.33333329", "333333333.3333333"),
        ("123456789012345680000.0", "123456789012345680000"), ("1e-400", "0"), ("2.50", "2.5"),
        ("1E+2", "100"), ("-0.5e-1", "-0.05"),
    ])
    func parsedDoubles(text: String, json: String) throws {
        #expect(try canonical(text) == json)
        #expect(try JSONValue.parse(text).doubleValue != nil)
    }

    @Test("integers keep every digit", arguments: [
        ("9007199254740993", "9007199254740993"),  // 2^53 + 1
        ("18446744073709551616", "18446744073709551616"),  // 2^64
        ("-9223372036854775808", "-9223372036854775808"),  // -2^63
        ("123456789012345680000", "123456789012345680000"),
        ("-0", "0"),
        ("0", "0"),
        (String(repeating: "9", count: 200), String(repeating: "9", count: 200)),
    ])
    func integers(text: String, json: String) throws {
        let value = try JSONValue.parse(text)
        #expect(value == .integer(json))
        #expect(try value.canonicalString == json)
        if case .integer = value {} else { Issue.record("\(text) did not parse as an integer") }
    }

    @Test("Swift integers and integer text normalise")
    func swiftIntegers() throws {
        #expect(try JSONValue(UInt64.max).canonicalString == "18446744073709551615")
        #expect(try JSONValue(Int64.min).canonicalString == "-9223372036854775808")
        #expect(try JSONValue.integer("007").canonicalString == "7")
        #expect(try JSONValue.integer("-000").canonicalString == "0")
        #expect(try JSONValue.integer("-0012").canonicalString == "-12")
        for bad in ["", "-", "1.5", "+3", "1e3", " 1", "0x10", "١"] {
            #expect(throws: JSONError.self, "\(bad)") { try JSONValue.integer(bad).canonicalBytes() }
        }
        let error = try #require(throws: JSONError.self) {
            try JSONValue.array([1, .object(["k": .integer("12a")])]).canonicalBytes()
        }
        #expect(error.code == .invalidInteger)
        #expect(error.path == "$[1].k")
    }

    @Test("NaN and infinities cannot be canonicalised; the path names them")
    func nonFinite() throws {
        let error = try #require(throws: JSONError.self) {
            try JSONValue.object(["a": [1, .double(.infinity)], "b": "x y"]).canonicalBytes()
        }
        #expect(error.code == .nonFiniteNumber)
        #expect(error.path == "$.a[1]")
        #expect(error.description.hasPrefix("$.a[1]: inf has no JSON form."))
        let nested = try #require(throws: JSONError.self) {
            try JSONValue.object(["a b": .double(.nan)]).canonicalBytes()
        }
        #expect(nested.path == #"$["a b"]"#)
    }

    @Test("accessors")
    func accessors() throws {
        #expect(JSONValue.integer("9007199254740993").int64Value == 9_007_199_254_740_993)
        #expect(JSONValue.integer("18446744073709551616").int64Value == nil)
        #expect(JSONValue.double(2.0).int64Value == 2)
        #expect(JSONValue.double(2.5).int64Value == nil)
        #expect(JSONValue.integer("-3").intValue == -3)
        #expect(JSONValue.integer("18446744073709551616").doubleValue == 18446744073709551616.0)
        #expect(JSONValue.double(1e21).integerDigits == nil)
        #expect(JSONValue.double(1e20).integerDigits == "100000000000000000000")
        let value: JSONValue = ["a": [1, "two", nil, true, 2.5]]
        #expect(value["a"]?[1]?.stringValue == "two")
        #expect(value["a"]?[2]?.isNull == true)
        #expect(value["a"]?[3]?.boolValue == true)
        #expect(value["a"]?[4]?.doubleValue == 2.5)
        #expect(value["a"]?[5] == nil)
        #expect(value["missing"] == nil)
        #expect(value["a"]?["not an object"] == nil)
        #expect(value.objectValue?.count == 1)
        #expect(value["a"]?.arrayValue?.count == 5)
    }
}

// MARK: - Strings

@Suite("canonical JSON: strings")
struct CanonicalJSONStringTests {
    @Test("JCS escapes exactly the two-character set and the other controls")
    func escapes() throws {
        #expect(try canonical(#""\"\\\/\b\f\n\r\t""#) == #""\"\\/\b\f\n\r\t""#)
        var expected = "\""
        let short: [UInt32: String] = [8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r"]
        var input = "\""
        for c: UInt32 in 0..<0x20 {
            input += String(format: "\\u%04X", c)
            expected += short[c] ?? String(format: "\\u%04x", c)
        }
        input += "\""
        expected += "\""
        #expect(try canonical(input) == expected)
        // Built from Swift directly, not parsed.
        let controls = String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init)))
        #expect(try JSONValue.string(controls).canonicalString == expected)
    }

    @Test("everything else is literal UTF-8", arguments: [
        (#""\u007f""#, "\"\u{7F}\""),
        (#""\u2028\u2029""#, "\"\u{2028}\u{2029}\""),
        (#""\u00e9t\u00E9""#, "\"été\""),
        (#""caf\u0065\u0301""#, "\"cafe\u{301}\""),  // combining acute stays a separate scalar
        (#""\ud83d\ude00 \uD834\uDD1E""#, "\"😀 𝄞\""),
        (#""\udbff\udfff""#, "\"\u{10FFFF}\""),
        ("\"naïve 日本語 עברית 😀\"", "\"naïve 日本語 עברית 😀\""),
        (#""a/b<>&'""#, #""a/b<>&'""#),
    ])
    func literal(input: String, expected: String) throws {
        #expect(try canonical(input) == expected)
    }

    @Test("non-BMP characters are written as four UTF-8 bytes")
    func nonBMPBytes() throws {
        let bytes = try JSONValue.parse(#""\ud83d\ude00""#).canonicalBytes()
        #expect(bytes == [0x22, 0xF0, 0x9F, 0x98, 0x80, 0x22])
    }

    @Test("precomposed and decomposed accents are different values with different bytes")
    func normalisationIsPreserved() throws {
        let composed = JSONValue.string("\u{E9}")
        let decomposed = JSONValue.string("e\u{301}")
        #expect(composed != decomposed)
        #expect(try composed.canonicalBytes() == [0x22, 0xC3, 0xA9, 0x22])
        #expect(try decomposed.canonicalBytes() == [0x22, 0x65, 0xCC, 0x81, 0x22])
    }
}

// MARK: - Structure

@Suite("canonical JSON: structure")
struct CanonicalJSONStructureTests {
    @Test("nested objects sort at every level and lose whitespace")
    func nested() throws {
        let input = """
            { "z": {"b": [3, {"y": null, "x": false}], "a": "\u{E9}"},
              "a": [], "A": {}, "aa": 1, "_": -1, "\u{E9}": 2, "e\u{301}z": 3 }
            """
        let expected =
            #"{"A":{},"_":-1,"a":[],"aa":1,"e"# + "\u{301}" + #"z":3,"z":{"a":""# + "\u{E9}"
            + #"","b":[3,{"x":false,"y":null}]},""# + "\u{E9}" + #"":2}"#
        #expect(try canonical(input) == expected)
    }

    @Test("canonical output is a fixed point and parses back equal")
    func idempotent() throws {
        let value = try JSONValue.parse(#"{"b":[1.0, 2.50, 1e2, -0, 18446744073709551616], "a":"\u0000"}"#)
        let once = try value.canonicalBytes()
        #expect(String(decoding: once, as: UTF8.self) == #"{"a":"\u0000","b":[1,2.5,100,0,18446744073709551616]}"#)
        let reparsed = try JSONValue.parse(once)
        #expect(reparsed == value)
        #expect(try reparsed.canonicalBytes() == once)
        #expect(CanonicalJSON.isCanonical(once))
        #expect(!CanonicalJSON.isCanonical(Array(#"{"b":1, "a":2}"#.utf8)))
        #expect(!CanonicalJSON.isCanonical(Array(#"[1.0]"#.utf8)))
        #expect(!CanonicalJSON.isCanonical(Array(#"[1"#.utf8)))
    }

    @Test("equality is equality of canonical forms")
    func equality() {
        #expect(JSONValue.double(2.0) == .integer("2"))
        #expect(JSONValue.double(-0.0) == .integer("-0"))
        #expect(JSONValue.integer("007") == .integer("7"))
        #expect(JSONValue.double(1e21) != .integer("1000000000000000000000"))
        #expect(JSONValue.double(0.1) != .double(0.1000000000000001))
        #expect(JSONValue.string("a") != .integer("1"))
        let pairs: [(JSONValue, JSONValue)] = [
            (.double(2.0), .integer("2")), (.integer("007"), .integer("7")),
            (["a": 1.0, "b": [2]], ["b": [2.0], "a": 1]),
        ]
        for (a, b) in pairs {
            #expect(a == b)
            #expect(a.hashValue == b.hashValue, "\(a) and \(b) hash differently")
        }
        let set: Set<JSONValue> = [.double(3), .integer("3"), .integer("03")]
        #expect(set.count == 1)
    }

    @Test("the copy path for non-contiguous collections parses the same")
    func nonContiguous() throws {
        let text = #"{"a": [1, "é", 2.5]}"#
        let lazy = Array(text.utf8).lazy.map { $0 }
        #expect(try JSONValue.parse(lazy) == JSONValue.parse(text))
        #expect(try JSONValue.parse(Data(text.utf8)) == JSONValue.parse(text))
    }

    @Test("depth up to maxDepth is accepted")
    func depthLimit() throws {
        let ok = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        _ = try JSONValue.parse(ok)
        let shallow = String(repeating: "{\"a\":", count: 3) + "1" + String(repeating: "}", count: 3)
        _ = try JSONValue.parse(shallow, maxDepth: 3)
        #expect(parseError(shallow, maxDepth: 2)?.code == .tooDeep)
    }
}

// MARK: - Errors

@Suite("canonical JSON: parse errors")
struct CanonicalJSONParseErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var bytes: [UInt8]
        var code: JSONError.Code
        var offset: Int
        var testDescription: String { name }

        init(_ name: String, _ text: String, _ code: JSONError.Code, at offset: Int) {
            self.init(name, Array(text.utf8), code, at: offset)
        }

        init(_ name: String, _ bytes: [UInt8], _ code: JSONError.Code, at offset: Int) {
            self.name = name
            self.bytes = bytes
            self.code = code
            self.offset = offset
        }
    }

    static let cases: [Case] = [
        Case("empty input", "", .emptyInput, at: 0),
        Case("only whitespace", " \n\t ", .emptyInput, at: 4),
        Case("truncated object", #"{"a": 1"#, .unexpectedEnd, at: 7),
        Case("truncated after key", #"{"a""#, .unexpectedEnd, at: 4),
        Case("truncated array", "[1, 2", .unexpectedEnd, at: 5),
        Case("truncated string", #""abc"#, .unexpectedEnd, at: 4),
        Case("truncated literal", "tru", .unexpectedEnd, at: 3),
        Case("truncated escape", #""\u00"#, .unexpectedEnd, at: 5),
        Case("lone minus", "-", .unexpectedEnd, at: 1),
        Case("truncated exponent", "1e", .unexpectedEnd, at: 2),
        Case("trailing garbage", #"{"a":1} x"#, .trailingCharacters, at: 8),
        Case("two documents", "[1] [2]", .trailingCharacters, at: 4),
        Case("trailing comma in array", "[1,]", .unexpectedCharacter, at: 3),
        Case("trailing comma in object", #"{"a":1,}"#, .unexpectedCharacter, at: 7),
        Case("missing colon", #"{"a" 1}"#, .unexpectedCharacter, at: 5),
        Case("single quotes", "{'a':1}", .unexpectedCharacter, at: 1),
        Case("missing comma", "[1 2]", .unexpectedCharacter, at: 3),
        Case("capitalised literal", "True", .unexpectedCharacter, at: 0),
        Case("comment", "[1] // no", .trailingCharacters, at: 4),
        Case("bad escape", #"["\x"]"#, .invalidEscape, at: 2),
        Case("short unicode escape", #""\u12G4""#, .invalidEscape, at: 1),
        Case("lone high surrogate", #""ab\ud800""#, .loneSurrogate, at: 3),
        Case("high surrogate then letter", #""\ud800x""#, .loneSurrogate, at: 1),
        Case("high surrogate then BMP escape", #""\ud800\u0041""#, .loneSurrogate, at: 1),
        Case("lone low surrogate", #""\udc00""#, .loneSurrogate, at: 1),
        Case("duplicate key", #"{"a":1,"a":2}"#, .duplicateKey, at: 7),
        Case("duplicate key by normalisation", "{\"\u{E9}\":1,\"e\u{301}\":2}", .duplicateKey, at: 8),
        Case("NaN literal", "NaN", .nonFiniteNumber, at: 0),
        Case("Infinity literal", "[Infinity]", .nonFiniteNumber, at: 1),
        Case("-Infinity literal", "[1, -Infinity]", .nonFiniteNumber, at: 4),
        Case("leading zero", "[01]", .invalidNumber, at: 1),
        Case("negative leading zero", "-012", .invalidNumber, at: 0),
        Case("point without digits", "1.", .unexpectedEnd, at: 2),
        Case("point then letter", "[1.e5]", .invalidNumber, at: 3),
        Case("leading point", ".5", .unexpectedCharacter, at: 0),
        Case("plus sign", "+1", .unexpectedCharacter, at: 0),
        Case("too large for a double", "[1e400]", .numberOutOfRange, at: 1),
        Case("raw line break in string", "\"a\nb\"", .controlCharacterInString, at: 2),
        Case("raw tab in string", "\"a\tb\"", .controlCharacterInString, at: 2),
        Case("byte-order mark", [0xEF, 0xBB, 0xBF, 0x31], .unexpectedCharacter, at: 0),
        Case("invalid UTF-8 continuation", [0x22, 0xC3, 0x28, 0x22], .invalidUTF8, at: 1),
        Case("overlong UTF-8", [0x22, 0xC0, 0xAF, 0x22], .invalidUTF8, at: 1),
        Case("UTF-8 encoded surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22], .invalidUTF8, at: 1),
        Case("beyond U+10FFFF", [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], .invalidUTF8, at: 1),
        Case("truncated UTF-8", [0x22, 0x61, 0xE2, 0x82], .invalidUTF8, at: 2),
        Case("stray continuation byte", [0x22, 0x80, 0x22], .invalidUTF8, at: 1),
        Case("invalid byte outside a string", [0x5B, 0xFF, 0x5D], .unexpectedCharacter, at: 1),
        Case("NUL outside a string", [0x5B, 0x00, 0x5D], .unexpectedCharacter, at: 1),
        Case(
            "nesting beyond maxDepth", String(repeating: "[", count: 513) + String(repeating: "]", count: 513),
            .tooDeep, at: 512),
        Case("hostile nesting", String(repeating: "[", count: 100_000), .tooDeep, at: 512),
        Case("hostile object nesting", String(repeating: #"{"a":"#, count: 10_000), .tooDeep, at: 2560),
    ]

    @Test("malformed input fails at the right byte", arguments: cases)
    func malformed(_ c: Case) throws {
        let error = try #require(parseError(c.bytes), "\(c.name) parsed without error")
        #expect(error.code == c.code, "\(error)")
        #expect(error.offset == c.offset, "\(error)")
        #expect(error.line != nil && error.column != nil)
        #expect(!error.hint.isEmpty)
    }

    @Test("line and column count lines and Unicode scalars")
    func location() throws {
        let duplicate = try #require(parseError("{\n  \"a\": 1,\n  \"a\": 2\n}"))
        #expect(duplicate.code == .duplicateKey)
        #expect(duplicate.line == 3)
        #expect(duplicate.column == 3)
        #expect(duplicate.offset == 14)

        let afterAccent = try #require(parseError("[\"é\", x]"))
        #expect(afterAccent.offset == 7)
        #expect(afterAccent.column == 7)
        #expect(
            afterAccent.description
                == "line 1, column 7 (byte 7): expected a value (object, array, string, number, true, false or null), found 'x'. Fix the JSON syntax at that place.")
    }

    @Test("messages say what was expected and what to do")
    func messages() throws {
        let truncated = try #require(parseError("{\"a\": [1, 2"))
        #expect(
            truncated.description
                == "line 1, column 12 (byte 11): expected ',' or ']' to continue the array opened at line 1, column 7, found the end of input. The JSON text is truncated; check that the whole file was written or copied.")
        let duplicate = try #require(parseError(#"{"seed":1,"seed":2}"#))
        #expect(
            duplicate.description
                == #"line 1, column 11 (byte 10): duplicate key "seed" in the object opened at line 1, column 1. Keep one member per key."#)
        let surrogate = try #require(parseError(#""\ud800""#))
        #expect(surrogate.message.contains("high surrogate"))
    }
}

// MARK: - Codable

struct CanonicalJSONTestParams: Codable, Equatable {
    var threshold: Double
    var big: UInt64
    var small: Int64
    var windows: [Int]
    var labels: [String: String]
    var extra: JSONValue
}

@Suite("canonical JSON: Codable")
struct CanonicalJSONCodableTests {
    let params = CanonicalJSONTestParams(
        threshold: 0.05, big: .max, small: .min, windows: [1000, 500],
        labels: ["zeta": "ζ", "alpha": "a\"b", "Émile": "\n"],
        extra: ["seed": 42, "ratio": 1.0, "id": .integer("9007199254740993")])

    @Test("encode writes canonical bytes")
    func encode() throws {
        let text = try CanonicalJSON.encodeString(params)
        #expect(
            text
                == #"{"big":18446744073709551615,"extra":{"id":9007199254740993,"ratio":1,"seed":42},"labels":{"alpha":"a\"b","zeta":"ζ","Émile":"\n"},"small":-9223372036854775808,"threshold":0.05,"windows":[1000,500]}"#
        )
        #expect(CanonicalJSON.isCanonical(Array(text.utf8)))
        #expect(try CanonicalJSON.encode(params) == CanonicalJSON.encode(params))
    }

    @Test("decode reads back what encode wrote")
    func roundTrip() throws {
        let bytes = try CanonicalJSON.encode(params)
        let back = try CanonicalJSON.decode(CanonicalJSONTestParams.self, from: bytes)
        #expect(back == params)
    }

    @Test("decoding JSONValue itself keeps big integers exact")
    func decodeJSONValue() throws {
        let bytes = Array(#"[1180591620717411303424, 1.0, "x"]"#.utf8)
        let value = try CanonicalJSON.decode(JSONValue.self, from: bytes)
        #expect(value == [.integer("1180591620717411303424"), 1.0, "x"])
        if case .integer? = value[0] {} else { Issue.record("2^70 lost its digits: \(value)") }
    }

    @Test("Foundation's JSONDecoder gives integers for 1.0; canonical bytes do not change")
    func foundationDecoder() throws {
        let value = try JSONDecoder().decode(JSONValue.self, from: Data("[1.0, 1.5, true, null]".utf8))
        #expect(value[0] == .integer("1"))
        #expect(value[0] == .double(1.0))
        #expect(value[1] == .double(1.5))
        #expect(value[2] == .bool(true))
        #expect(value[3] == .null)
        #expect(try value.canonicalString == "[1,1.5,true,null]")
    }

    @Test("JSONEncoder writes big integers exactly up to 38 digits, then refuses")
    func encodeBigIntegers() throws {
        let big = JSONValue.integer("123456789012345678901234567890")
        let data = try JSONEncoder().encode(big)
        #expect(String(decoding: data, as: UTF8.self) == "123456789012345678901234567890")
        #expect(throws: EncodingError.self) {
            try JSONEncoder().encode(JSONValue.integer(String(repeating: "7", count: 60)))
        }
        // canonicalBytes has no such limit.
        #expect(try JSONValue.integer(String(repeating: "7", count: 60)).canonicalBytes().count == 60)
    }

    @Test("a mismatched field is reported with its path")
    func decodeMismatch() throws {
        let bytes = Array(
            #"{"big":1,"extra":null,"labels":{},"small":2,"threshold":"high","windows":[]}"#.utf8)
        let error = try #require(throws: JSONError.self) {
            try CanonicalJSON.decode(CanonicalJSONTestParams.self, from: bytes)
        }
        #expect(error.code == .decodingFailed)
        #expect(error.path == "$.threshold")
        let missing = try #require(throws: JSONError.self) {
            try CanonicalJSON.decode(CanonicalJSONTestParams.self, from: Array(#"{"big":1}"#.utf8))
        }
        #expect(missing.message.hasPrefix("missing the required key"), "\(missing)")
        #expect(missing.path == "$")
        let bad = try #require(throws: JSONError.self) {
            try CanonicalJSON.decode(CanonicalJSONTestParams.self, from: Array(#"{"big":1,"big":2}"#.utf8))
        }
        #expect(bad.code == .duplicateKey)
    }

    @Test("encoding a NaN fails")
    func encodeNaN() {
        #expect(throws: (any Error).self) { try CanonicalJSON.encode([Double.nan]) }
        #expect(throws: JSONError.self) { try CanonicalJSON.encode(JSONValue.double(.nan)) }
    }
}

// MARK: - Round-trip property

/// xorshift64*: a tiny local generator, so the cases never change with the standard library.
private struct XorShift64Star {
    var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    mutating func chance(_ percent: Int) -> Bool { below(100) < percent }
}

private struct RandomJSON {
    var rng: XorShift64Star

    /// Scalars chosen to stress escaping, sorting and UTF-8: controls, quotes, DEL, line
    /// separators, combining marks, BMP private use and presentation forms above the surrogate
    /// range, and non-BMP.
    static let pools: [ClosedRange<UInt32>] = [
        0x20...0x7E, 0x00...0x1F, 0x22...0x22, 0x5C...0x5C, 0x7F...0xFF, 0x300...0x36F,
        0x2028...0x2029, 0x4E00...0x4E20, 0xE000...0xE010, 0xFB1D...0xFB4F, 0xFFF0...0xFFFF,
        0x1F600...0x1F64F, 0x10000...0x10010, 0x10FFF0...0x10FFFF,
    ]

    mutating func string(maxLength: Int = 10) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<rng.below(maxLength + 1) {
            let pool = Self.pools[rng.below(Self.pools.count)]
            let value = pool.lowerBound + UInt32(rng.below(Int(pool.upperBound - pool.lowerBound) + 1))
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    mutating func integer() -> JSONValue {
        switch rng.below(5) {
        case 0: return JSONValue(rng.below(2001) - 1000)
        case 1: return JSONValue(Int64(bitPattern: rng.next()))
        case 2: return JSONValue(rng.next())
        case 3:
            let digits = (0..<(1 + rng.below(60))).map { _ in String(rng.below(10)) }.joined()
            return .integer((rng.chance(50) ? "-" : "") + digits)  // may have leading zeros
        default:
            return .integer(rng.chance(50) ? "-0" : "0")
        }
    }

    mutating func double() -> JSONValue {
        switch rng.below(4) {
        case 0:
            while true {
                let d = Double(bitPattern: rng.next())
                if d.isFinite { return .double(d) }
            }
        case 1: return .double(Double(rng.below(2_000_001) - 1_000_000) / 1000)
        case 2: return .double(Double(rng.below(1000)) * [1e-9, 1e-7, 1e20, 1e21, 1e300][rng.below(5)])
        default: return .double([0.0, -0.0, 2.0, 1e21, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 0.1][rng.below(7)])
        }
    }

    mutating func value(depth: Int = 0) -> JSONValue {
        let kinds = depth >= 4 ? 6 : 8
        switch rng.below(kinds) {
        case 0: return .null
        case 1: return .bool(rng.chance(50))
        case 2, 3: return integer()
        case 4: return double()
        case 5: return .string(string())
        case 6: return .array((0..<rng.below(5)).map { _ in value(depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<rng.below(6) {
                members[string(maxLength: 4)] = value(depth: depth + 1)
            }
            return .object(members)
        }
    }
}

@Suite("canonical JSON: round-trip property")
struct CanonicalJSONRoundTripTests {
    @Test("parse(canonical(x)) == x and canonical is idempotent", arguments: [1, 2, 3, 0xA55A, 2024] as [UInt64])
    func roundTrip(seed: UInt64) throws {
        var gen = RandomJSON(rng: XorShift64Star(seed: seed))
        for i in 0..<400 {
            let x = gen.value()
            let bytes = try x.canonicalBytes()
            let text = String(decoding: bytes, as: UTF8.self)
            let y: JSONValue
            do {
                y = try JSONValue.parse(bytes)
            } catch {
                Issue.record("seed \(seed) case \(i): canonical output does not parse: \(error)\n\(text)")
                return
            }
            let again = try y.canonicalBytes()
            guard y == x, again == bytes else {
                Issue.record("seed \(seed) case \(i): round trip differs\nvalue: \(String(reflecting: x))\ncanonical: \(text)\nreparsed: \(String(decoding: again, as: UTF8.self))")
                return
            }
            #expect(x.hashValue == y.hashValue, "seed \(seed) case \(i): hash differs for \(text)")
            #expect(CanonicalJSON.isCanonical(bytes), "seed \(seed) case \(i): \(text)")
            // Foundation reads the output too (it is plain JSON).
            #expect(
                (try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed])) != nil,
                "seed \(seed) case \(i): JSONSerialization rejects \(text)")
        }
    }

    @Test("pretty-printed input canonicalises to the same bytes as compact input", arguments: [7, 8] as [UInt64])
    func whitespaceInsensitive(seed: UInt64) throws {
        var gen = RandomJSON(rng: XorShift64Star(seed: seed))
        var compared = 0
        for i in 0..<200 {
            let x = gen.value()
            let bytes = try x.canonicalBytes()
            // Re-encode with Foundation's pretty printer: different whitespace, escapes and order.
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes), options: [.fragmentsAllowed]),
                let pretty = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .fragmentsAllowed])
            else { continue }
            guard let reparsed = try? JSONValue.parse(pretty) else {
                Issue.record("seed \(seed) case \(i): cannot parse Foundation output \(String(decoding: pretty, as: UTF8.self))")
                continue
            }
            // Foundation turns big integers into doubles, so compare only where it kept them.
            if reparsed == x {
                compared += 1
                #expect(try reparsed.canonicalBytes() == bytes, "seed \(seed) case \(i)")
            }
        }
        #expect(compared > 50, "only \(compared) of 200 cases survived Foundation unchanged")
    }
}

@Suite("canonical JSON: float32 values")
struct CanonicalJSONFloat32Tests {
    @Test func shortestFormThatReadsBackAsTheSameFloat() throws {
        let values: [Float] = [0.1, 1, -3.5, 1e-8, 0.97511816, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 2.0807704e-7]
        for f in values {
            let text = try JSONValue(float32: f).canonicalString
            #expect(Float(text) == f, "\(f) → \(text)")
            #expect(text.count <= "\(f)".count + 2, "\(f) → \(text) is not its short form")
        }
        #expect(try JSONValue(float32: 0.1).canonicalString == "0.1")
        for f: Float in [.nan, .infinity, -.infinity] { #expect(JSONValue(float32: f) == .null) }
    }
}
