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

    @Test func rejectsHostileInput() throws {
        let good = try Self.fixture("f8_2d")
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "wrong magic"),
            ("magic only", Array(good.prefix(6)), "wrong magic"),
            ("truncated header", Array(good.prefix(20)), "truncated header"),
            ("truncated data", Array(good.dropLast(3)), "data bytes"),
            ("extra data", good + [0], "data bytes"),
            ("version 9", Array(good.prefix(6)) + [9, 0] + Array(good.dropFirst(8)), "version 9"),
            ("big-endian", Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "<f8", with: ">f8").utf8), "unsupported dtype"),
            ("object", Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "<f8", with: "|O8").utf8), "unsupported dtype"),
            ("fortran", Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "False", with: "True ").utf8), "Fortran"),
            ("huge shape", Array(String(decoding: good, as: UTF8.self).replacingOccurrences(of: "(2, 3)", with: "(9999999999999, 9999999999999)").utf8), ""),
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
