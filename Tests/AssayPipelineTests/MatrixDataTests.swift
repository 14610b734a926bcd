import Foundation
import Testing
@testable import AssayPipeline
import AssayNumerics

@Suite struct NPYFormatTests {
    struct Values: Decodable {
        struct A: Decodable { var shape: [Int]; var data: [Double] }
        var arrays: [String: A]
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "npy", subdirectory: "Fixtures/npy"))
        return Array(try Data(contentsOf: url))
    }

    static let values: Values? = {
        guard let url = Bundle.module.url(forResource: "values", withExtension: "json", subdirectory: "Fixtures/npy"),
              let data = try? Data(contentsOf: url) else { return nil }
        return try? JSONDecoder().decode(Values.self, from: data)
    }()

    @Test(arguments: ["f8_2d", "f8_1d", "f8_3d", "f4_2d", "i8_2d", "i4_1d", "u1_2d", "b1_2d", "f8_empty"])
    func decodesWhatNumPyWrote(_ name: String) throws {
        let expected = try #require(Self.values?.arrays[name])
        let t = try NPYFormat.decode(try Self.fixture(name), place: name)
        #expect(t.shape == expected.shape)
        #expect(t.scalars.map(\.bitPattern) == expected.data.map(\.bitPattern))
    }

    @Test(arguments: ["f8_2d", "f8_1d", "f8_3d", "f8_empty"])
    func encodesTheBytesNumPyWrites(_ name: String) throws {
        let bytes = try Self.fixture(name)
        let t = try NPYFormat.decode(bytes, place: name)
        #expect(NPYFormat.encode(t) == bytes)
    }

    /// `bytes` with the first occurrence of `old` replaced by `new` (byte-level; the data part
    /// is binary and must not go through a String).
    static func replacing(_ bytes: [UInt8], _ old: String, _ new: String) -> [UInt8] {
        let o = Array(old.utf8)
        for i in 0...(bytes.count - o.count) where Array(bytes[i..<(i + o.count)]) == o {
            return Array(bytes[..<i]) + Array(new.utf8) + Array(bytes[(i + o.count)...])
        }
        return bytes
    }

    @Test func rejectsHostileInput() throws {
        let good = try Self.fixture("f8_2d")
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "wrong magic"),
            ("magic only", Array(good.prefix(6)), "wrong magic"),
            ("truncated header", Array(good.prefix(20)), "truncated header"),
            ("truncated data", Array(good.dropLast(3)), "data bytes"),
            ("extra data", good + [0], "data bytes"),
            ("version 9", Array(good.prefix(6)) + [9, 0] + Array(good.dropFirst(8)), "version 9"),
            ("big-endian", Self.replacing(good, "<f8", ">f8"), "unsupported dtype"),
            ("object", Self.replacing(good, "<f8", "|O8"), "unsupported dtype"),
            ("fortran", Self.replacing(good, "False", "True "), "Fortran"),
            ("huge shape", Self.replacing(good, "(2, 3), }                                                          ", "(99999999999, 99999999999), }                                      "), "data bytes"),
            ("garbage header", Self.replacing(good, "'descr'", "'dexcr'"), "not a NumPy dictionary"),
        ]
        for (label, bytes, message) in cases {
            let error = #expect(throws: PipelineError.self, "\(label)") { _ = try NPYFormat.decode(bytes, place: "x.npy") }
            #expect(error?.description.contains(message) == true, "\(label): \(String(describing: error))")
        }
    }
}

@Suite struct CSVMatrixTests {
    @Test func readsNumbersWithHeader() throws {
        let (t, cols) = try CSVMatrix.decode(Array("a, b,\"c\"\n1,2.5,-3e2\n4,.5,+6\n".utf8), place: "t.csv")
        #expect(cols == ["a", "b", "c"])
        #expect(t.shape == [2, 3])
        #expect(t.scalars == [1, 2.5, -300, 4, 0.5, 6])
    }

    @Test(arguments: [
        ("a,b\n1,x\n", "line 2, column 2 (b)"),
        ("a,b\n1\n", "1 fields, the header has 2"),
        ("a,b\n", "no data rows"),
        ("", "the file is empty"),
        ("a\n0x10\n", "not a number"),
        ("a\n1,000\n", "2 fields"),
        ("a\n\"\"\n", "not a number"),
        ("a\n1e\n", "not a number"),
        ("a\n--1\n", "not a number"),
    ])
    func rejectsWithPlace(text: String, message: String) throws {
        let error = #expect(throws: PipelineError.self) { _ = try CSVMatrix.decode(Array(text.utf8), place: "t.csv") }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
    }

    @Test func nonFiniteValuesAreReadForTheDetectorToReport() throws {
        let (t, _) = try CSVMatrix.decode(Array("a,b\nnan,inf\n-inf,1\n".utf8), place: "t.csv")
        #expect(t.scalars[0].isNaN && t.scalars[1] == .infinity && t.scalars[2] == -.infinity)
    }
}
