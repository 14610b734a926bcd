import Foundation
import Testing
import _AssayTestSupport

/// `assay corrupt` through the binary: the digits with their label column, the recorded run in
/// `log`, `show` and `lineage`, determinism, `.npy` input, help, and bad input (exit 2).
@Suite struct CorruptCommandTests {
    let dir: TemporaryDirectory
    let ws: String
    static let digits = AssayBinary.packageRoot + "/notebooks/data/digits.csv"

    init() throws {
        dir = try TemporaryDirectory()
        ws = dir.file("ws")
        #expect(try AssayBinary.run(["init", ws]).status == 0)
    }

    func assay(_ args: [String], environment: [String: String] = [:]) throws -> ProcessResult {
        try AssayBinary.run(args + ["--workspace", ws], environment: environment)
    }

    /// The header and first `rows` images of the digits, as a CSV file (smaller, so faster in debug).
    func digitsHead(_ rows: Int) throws -> String {
        let lines = try String(contentsOfFile: Self.digits, encoding: .utf8).split(separator: "\n").prefix(rows + 1)
        return try dir.write("digits-\(rows).csv", lines.joined(separator: "\n") + "\n")
    }

    func json(_ r: ProcessResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stdout)\(r.stderr)")
    }

    /// The blob of artifact `id` decoded as the `.npy` Assay writes (v1.0, `<f8`, C order).
    func npy(_ id: String) throws -> (shape: [Int], values: [Double]) {
        let hex = String(id.dropFirst("sha256:".count))
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(ws)/artifacts/sha256/\(hex.prefix(2))/\(hex.dropFirst(2))")))
        try #require(bytes.count > 10 && bytes[0] == 0x93)
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'descr': '<f8'") && header.contains("'fortran_order': False"))
        let shapeText = try #require(header.range(of: #"\([0-9, ]*\)"#, options: .regularExpression).map { header[$0] })
        let shape = shapeText.dropFirst().dropLast().split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        var values: [Double] = []
        var i = 10 + headerLength
        while i + 8 <= bytes.count {
            var bits: UInt64 = 0
            for k in 0..<8 { bits |= UInt64(bytes[i + k]) << (8 * UInt64(k)) }
            values.append(Double(bitPattern: bits))
            i += 8
        }
        return (shape, values)
    }

    /// A `.npy` (v1.0, `<f8`) of `rows` × `columns` values.
    func writeNPY(_ name: String, rows: Int, columns: Int, _ value: (Int, Int) -> Double) throws -> String {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count & 0xff), UInt8(header.utf8.count >> 8)]
        bytes += Array(header.utf8)
        for r in 0..<rows {
            for c in 0..<columns {
                let bits = value(r, c).bitPattern
                for k in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) }
            }
        }
        return try dir.write(name, bytes)
    }

    @Test func digitsKeepTheirLabelsAndStayInRange() throws {
        let r = try assay(["corrupt", Self.digits, "--kind", "gaussian-noise", "--severity", "3", "--shape", "8x8x1",
                           "--seed", "7", "--name", "dataset:digits-noise3", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try json(r)
        #expect(doc["rows"] as? Int == 1797)
        #expect(doc["kept_column"] as? String == "label")
        #expect(doc["range"] as? [Double] == [0, 16])
        #expect(doc["shape"] as? [Int] == [8, 8, 1])
        #expect(doc["kind"] as? String == "gaussian-noise" && doc["severity"] as? Int == 3 && doc["seed"] as? Int == 7)
        let output = try #require(doc["output"] as? String)
        let (shape, values) = try npy(output)
        #expect(shape == [1797, 65])
        #expect(values.count == 1797 * 65)
        let original = try String(contentsOfFile: Self.digits, encoding: .utf8).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",").compactMap { Double($0) } }
        var changed = 0
        for (r, row) in original.enumerated() {
            #expect(values[r * 65 + 64] == row[64], "label of row \(r + 1)")
            for c in 0..<64 {
                let v = values[r * 65 + c]
                #expect((0...16).contains(v))
                if v != row[c] { changed += 1 }
            }
        }
        #expect(changed > 1797 * 64 / 2)
        // The name points at it.
        let show = try assay(["show", "dataset:digits-noise3", "--json"])
        #expect(show.status == 0 && show.stdout.contains(output), "\(show.stdout)\(show.stderr)")
    }

    @Test func theRunIsRecordedInLogAndLineage() throws {
        let r = try assay(["corrupt", try digitsHead(100), "--kind", "motion-blur", "--severity", "2", "--shape", "8x8x1",
                           "--name", "dataset:digits-blur2", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try json(r)
        let run = try #require(doc["run"] as? String)
        let input = try #require(doc["input"] as? String)
        let output = try #require(doc["output"] as? String)

        let log = try assay(["log", "--operation", "corrupt", "--json"])
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(log.stdout.utf8)) as? [[String: Any]], "\(log.stdout)")
        #expect(runs.count == 1)
        let recorded = try #require(runs.first)
        #expect(recorded["id"] as? String == run)
        #expect(recorded["operation_version"] as? Int == 1)
        #expect(recorded["seed"] as? Int == 0)
        let parameters = recorded["parameters"] as? [String: Any]
        #expect(parameters?["kind"] as? String == "motion-blur")
        #expect(parameters?["severity"] as? Int == 2)
        #expect(parameters?["shape"] as? [Int] == [8, 8, 1])
        #expect((recorded["inputs"] as? [[String: Any]])?.first?["id"] as? String == input)
        #expect((recorded["inputs"] as? [[String: Any]])?.first?["role"] as? String == "input")
        #expect((recorded["outputs"] as? [[String: Any]])?.first?["role"] as? String == "corrupted")

        let text = try assay(["log"])
        #expect(text.stdout.contains("corrupt v1"))
        let up = try assay(["lineage", "dataset:digits-blur2", "--up"])
        #expect(up.status == 0)
        #expect(up.stdout.contains("corrupt v1") && up.stdout.contains("import v1"), "\(up.stdout)")
        #expect(up.stdout.contains(String(output.prefix(19))) && up.stdout.contains(String(input.prefix(19))), "\(up.stdout)")
        let down = try assay(["lineage", input, "--down"])
        #expect(down.stdout.contains("corrupt v1") && down.stdout.contains(String(output.prefix(19))), "\(down.stdout)")
        #expect(try assay(["fsck"]).status == 0)
    }

    @Test func sameRecipeSameBytesAnyThreadCountDifferentSeedDifferentBytes() throws {
        let digits = try digitsHead(200)
        let args = ["corrupt", digits, "--kind", "motion-blur", "--severity", "4", "--shape", "8x8x1", "--seed", "3", "--json"]
        let one = try json(try assay(args, environment: ["ASSAY_THREADS": "1"]))
        let eight = try json(try assay(args, environment: ["ASSAY_THREADS": "8"]))
        #expect(one["output"] as? String == eight["output"] as? String)
        #expect(one["run"] as? String != eight["run"] as? String)
        let other = try json(try assay(["corrupt", digits, "--kind", "motion-blur", "--severity", "4", "--shape", "8x8x1", "--seed", "4", "--json"]))
        #expect(other["output"] as? String != one["output"] as? String)
        // By artifact name too: the same input artifact, the same output.
        #expect(try assay(["add", digits, "--name", "dataset:digits"]).status == 0)
        let byName = try json(try assay(["corrupt", "dataset:digits", "--kind", "motion-blur", "--severity", "4", "--shape", "8x8x1", "--seed", "3", "--json"]))
        #expect(byName["output"] as? String == one["output"] as? String)
    }

    @Test func npyPixelsOnlyAndTextOutput() throws {
        // Two 2×2 RGB images of 0…11; brightness 1 adds 0.1·11 and clips at 11.
        let file = try writeNPY("rgb.npy", rows: 2, columns: 12) { r, c in Double(r == 0 ? c : 11 - c) }
        let r = try assay(["corrupt", file, "--kind", "brightness", "--severity", "1", "--shape", "2x2x3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("brightness severity 1 on 2 images 2x2x3, seed 0"), "\(r.stdout)")
        #expect(!r.stdout.contains("kept"))
        let output = try #require(r.stdout.split(separator: " ").first.map(String.init))
        let (shape, values) = try npy(output)
        #expect(shape == [2, 12])
        #expect(values[0] == 1.1 && values[11] == 11 && values[12] == 11)
    }

    @Test func helpShowsTablesAndExamples() throws {
        let r = try AssayBinary.run(["corrupt", "--help"])
        #expect(r.status == 0)
        for text in ["Examples:", "assay corrupt", "gaussian-noise", "motion-blur", "brightness", "pixelation",
                     "0.08, 0.12, 0.18, 0.26, 0.38", "2, 3, 4, 5, 6", "7/8, 5/8, 1/2, 3/8, 1/4", "--shape"] {
            #expect(r.stdout.contains(text), "help lacks \(text)")
        }
    }

    @Test(arguments: [
        (["--kind", "snow", "--severity", "1", "--shape", "8x8x1"], "unknown corruption \"snow\""),
        (["--kind", "brightness", "--severity", "0", "--shape", "8x8x1"], "--severity: 0 is outside 1–5"),
        (["--kind", "brightness", "--severity", "6", "--shape", "8x8x1"], "--severity: 6 is outside 1–5"),
        (["--kind", "brightness", "--severity", "1", "--shape", "8by8"], "--shape: image shape \"8by8\" is not HxWxC"),
        (["--kind", "brightness", "--severity", "1", "--shape", "8x0x1"], "--shape: image shape 8x0x1: every dimension must be at least 1"),
        (["--kind", "brightness", "--severity", "1", "--shape", "4x4x1"], "rows have 65 values; images 4x4x1 need 16 (pixels only) or 17"),
        (["--kind", "brightness", "--severity", "1", "--shape", "8x8x3"], "rows have 65 values; images 8x8x3 need 192"),
    ])
    func badArgumentsExitTwo(arguments: [String], message: String) throws {
        let r = try assay(["corrupt", Self.digits] + arguments)
        #expect(r.status == 2, "\(r.stdout)\(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        let json = try assay(["corrupt", Self.digits] + arguments + ["--json"])
        #expect(json.status == 2)
        #expect(json.stderr.hasPrefix("{\"error\":{\"category\":\"usage\""), "\(json.stderr)")
    }

    @Test func badInputExitsTwoNamingThePlace() throws {
        let nan = try dir.write("nan.csv", "a,b,c,d\n1,2,3,4\n1,nan,3,4\n")
        let r = try assay(["corrupt", nan, "--kind", "gaussian-noise", "--severity", "1", "--shape", "2x2x1"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("nan.csv (sha256:") && r.stderr.contains("row 2, column 2 (b): is nan. Remove or impute"), "\(r.stderr)")

        let empty = try dir.write("empty.csv", "a,b,c,d\n")
        let e = try assay(["corrupt", empty, "--kind", "gaussian-noise", "--severity", "1", "--shape", "2x2x1"])
        #expect(e.status == 2)
        #expect(e.stderr.contains("no data rows"), "\(e.stderr)")

        let emptyNPY = try writeNPY("empty.npy", rows: 0, columns: 4) { _, _ in 0 }
        let n = try assay(["corrupt", emptyNPY, "--kind", "pixelation", "--severity", "1", "--shape", "2x2x1"])
        #expect(n.status == 2)
        #expect(n.stderr.contains("the input has no images (0 rows of 4 values)"), "\(n.stderr)")

        let words = try dir.write("words.csv", "a,b,c,d\n1,2,3,x\n")
        let w = try assay(["corrupt", words, "--kind", "pixelation", "--severity", "1", "--shape", "2x2x1"])
        #expect(w.status == 2 && w.stderr.contains("is not a number"), "\(w.stderr)")

        let missing = try assay(["corrupt", dir.file("nope.csv"), "--kind", "pixelation", "--severity", "1", "--shape", "2x2x1"])
        #expect(missing.status == 2, "\(missing.stderr)")
        #expect(try assay(["log", "--operation", "corrupt", "--json"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "[]")
    }
}
