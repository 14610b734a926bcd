import Testing
@testable import AssayPipeline
import AssayStore
import _AssayTestSupport

@Suite struct CSVRecordsTests {
    @Test func splitsRecordsKeepingQuotedLineBreaks() throws {
        let text = "id,note\r\n1,\"two\nlines\"\r\n2,plain\n\n3,\"a \"\"quote\"\"\""
        let r = try CSVRecords(Array(text.utf8), place: "t.csv")
        #expect(String(decoding: r.header, as: UTF8.self) == "id,note")
        #expect(r.rows.map { String(decoding: $0, as: UTF8.self) } == ["1,\"two\nlines\"", "2,plain", "3,\"a \"\"quote\"\"\""])
        #expect(r.rowLines == [2, 4, 6])
    }

    @Test func headerOnlyHasNoRows() throws {
        let r = try CSVRecords(Array("a,b\n".utf8), place: "t.csv")
        #expect(r.rows.isEmpty)
    }

    @Test(arguments: [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ("a\n\"open\n", "never closed"),
        ("a\n1\u{0}\n", "NUL byte"),
    ])
    func badInput(text: String, message: String) throws {
        let error = #expect(throws: PipelineError.self) { _ = try CSVRecords(Array(text.utf8), place: "t.csv") }
        #expect(error?.description.contains(message) == true, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("t.csv") == true)
    }
}

@Suite struct DatasetSampleTests {
    let csv = Array(("v\n" + (0..<20).map(String.init).joined(separator: "\n") + "\n").utf8)

    @Test func sameSeedSameBytes() throws {
        let a = try DatasetSample.sample(csv: csv, rows: 5, seed: 42, place: "t")
        let b = try DatasetSample.sample(csv: csv, rows: 5, seed: 42, place: "t")
        let c = try DatasetSample.sample(csv: csv, rows: 5, seed: 43, place: "t")
        #expect(a == b)
        #expect(a != c)
        let lines = String(decoding: a, as: UTF8.self).split(separator: "\n")
        #expect(lines.first == "v")
        let values = lines.dropFirst().map { Int($0)! }
        #expect(values == values.sorted(), "rows keep their original order")
        #expect(Set(values).count == 5)
    }

    @Test func allAndNoRows() throws {
        #expect(try DatasetSample.sample(csv: csv, rows: 20, seed: 1, place: "t") == csv)
        #expect(try DatasetSample.sample(csv: csv, rows: 0, seed: 1, place: "t") == Array("v\n".utf8))
        #expect(throws: PipelineError.self) { _ = try DatasetSample.sample(csv: csv, rows: 21, seed: 1, place: "t") }
    }

    @Test func recordedRunIsReproducible() throws {
        let dir = try TemporaryDirectory()
        let ws = try Workspace.initialize(at: dir.file("ws"))
        let src = try ws.add(fileAt: try dir.write("d.csv", csv), kind: "dataset").artifact.id
        let r1 = try DatasetSample.run(in: ws, source: src, rows: 7, seed: 9, name: "dataset:s")
        let r2 = try DatasetSample.run(in: ws, source: src, rows: 7, seed: 9, name: nil)
        #expect(r1.recipeDigest == r2.recipeDigest)
        #expect(r1.outputs == r2.outputs)
        #expect(r1.seed == 9)
        #expect(r1.parameters == ["rows": 7])
        #expect(try ws.lookupName("dataset:s") == r1.outputs.first?.id)
    }
}
