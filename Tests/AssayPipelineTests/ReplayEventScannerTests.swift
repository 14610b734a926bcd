import Foundation
import Testing
@testable import AssayPipeline
import AssayStore
import AssayCrypto
import _AssayTestSupport

/// The replay's fast line scanner reads exactly what the general JSON path reads, on every
/// committed logger fixture and on hand-made lines with every number shape, and hands anything
/// unusual back to the general path.
@Suite struct ReplayEventScannerTests {
    let dir: TemporaryDirectory
    let ws: Workspace
    let capture = ArtifactID(digest: try! AssayCrypto.SHA256.hash([UInt8]()))

    init() throws {
        dir = try TemporaryDirectory()
        ws = try Workspace.initialize(at: dir.file("ws"))
    }

    struct Read: Equatable {
        var requestID: String?
        var timestamp: CaptureTimestamp?
        var rows: Int
        var width: Int
        var features: [UInt64]
        var recorded: [UInt64]?
    }

    func read(_ e: ReplayEvent) -> Read {
        Read(requestID: e.requestID, timestamp: e.timestamp, rows: e.rows, width: e.width,
             features: e.features.map(\.bitPattern), recorded: e.recorded?.values.map(\.bitPattern))
    }

    /// Both paths on one line: the scanner's result (nil when it defers) and the general one's.
    func both(_ line: [UInt8], recorded: Bool) throws -> (fast: Read?, general: Read?) {
        var fast: Read?
        if let s = ReplayEventScanner.scan(line[...], recorded: recorded) {
            fast = read(try ReplayEvent(index: 0, line: 2, requestID: s.requestID, timestamp: s.timestamp, capture: capture, inputs: s.inputs, outputs: s.outputs))
        }
        let general = (try? JSONValue.parse(line)).flatMap(CaptureEvent.init(json:)).flatMap {
            try? ReplayEvent($0, index: 0, line: 2, capture: capture, recorded: recorded)
        }.map(read)
        return (fast, general)
    }

    @Test func fixturesReadTheSameBothWays() throws {
        var scanned = 0
        for (name, format) in [("seldon-binary.log", CaptureFormat.seldon), ("seldon-structured.jsonl", .seldon), ("kserve-binary.log", .kserve),
                               ("kserve-kfserving-2020.log", .kserve), ("v2.jsonl", .v2), ("rows.jsonl", .jsonl), ("rows.csv", .csv), ("small.npy", .npy)] {
            let url = try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures/captures"))
            let summary = try CaptureImport.run(in: ws, file: url.path, options: .init(format: format, onError: .skip))
            let bytes = try ws.blobs.bytes(of: try #require(summary.capture))
            for line in bytes.split(separator: 0x0a).dropFirst() {
                for recorded in [false, true] {
                    let (fast, general) = try both(Array(line), recorded: recorded)
                    if let fast {
                        #expect(fast == general, "\(name): \(String(decoding: line, as: UTF8.self))")
                        scanned += 1
                    }
                }
            }
        }
        #expect(scanned > 10)
    }

    func line(data: String, datatype: String = "FP64", shape: String = "[1,3]", requestID: String = "\"r1\"", extra: String = "") -> [UInt8] {
        Array("""
            {"attributes":null,"inputs":[{"data":\(data),"datatype":"\(datatype)","name":"x","names":["a","b","c"],"parameters":{"k":[1,{"z":"]}"}]},"shape":\(shape)}],"lines":{"request":1,"response":null,"truth":null},"meta":null,"model":"m\\u00e9","model_version":null,"outputs":[{"data":[0.25,0.75],"datatype":"FP32","name":"p","names":null,"parameters":null,"shape":[1,2]}],"puid":null,"request_id":\(requestID),"response_timestamp":null,"reward":null,"status":"complete","timestamp":"2024-05-01T12:00:00.5Z","truth":null\(extra)}
            """.utf8)
    }

    @Test func numbersNullsAndBooleansAgree() throws {
        let cases: [(String, String)] = [
            ("[1,2,3]", "FP64"), ("[-0,0.1,1e300]", "FP64"), ("[-0.0,-1e-400,1\(String(repeating: "0", count: 400))]", "FP64"), ("[1.5e-320,-2.5E+10,123456789012345678901234567890]", "FP64"),
            ("[0.1,16777217,123456789]", "FP32"), ("[3.4028235e38,1e39,-1e-50]", "FP32"), ("[null,1,2]", "FP64"),
            ("[0.000123456789012345,123456789012345.6,9007199254740993]", "FP64"), ("[1e22,1e23,4.35e-22]", "FP64"),
            ("[-0.5e-3,2E+2,0.0000000000000000000001]", "FP64"), ("[0.30000000000000004,1.7976931348623157e308,5e-324]", "FP64"),
            ("[true,false,true]", "BOOL"), ("[1,2,3]", "INT64"), ("[255,0,7]", "UINT8"), ("[0.1,0.2,0.3]", "FP16"),
        ]
        for (data, datatype) in cases {
            let (fast, general) = try both(line(data: data, datatype: datatype), recorded: true)
            #expect(fast != nil, "\(data) \(datatype) should take the fast path")
            #expect(fast == general, "\(data) \(datatype)")
        }
    }

    /// Random decimals of every length and exponent: the fast conversion equals strtod's.
    @Test func randomDecimalsAgree() throws {
        var x: UInt64 = 7
        func next() -> UInt64 { x = x &* 6364136223846793005 &+ 1442695040888963407; return x >> 17 }
        for _ in 0..<2000 {
            var numbers: [String] = []
            for _ in 0..<3 {
                let digits = String(next() % 10_000_000_000_000_000)
                let cut = Int(next() % UInt64(digits.count + 1))
                var text = (next() % 2 == 0 ? "-" : "") + (cut == 0 ? "0" : String(digits.prefix(cut)))
                if cut < digits.count { text += "." + digits.dropFirst(cut) }
                if next() % 3 == 0 { text += "e" + String(Int(next() % 60) - 30) }
                if text.hasPrefix("-0") && !text.contains(".") && text.count > 2 { text = "0" }
                numbers.append(text.hasPrefix("00") ? "0" : text)
            }
            let (fast, general) = try both(line(data: "[" + numbers.joined(separator: ",") + "]"), recorded: false)
            #expect(fast != nil && fast == general, "\(numbers)")
        }
    }

    @Test func unusualLinesGoToTheGeneralPath() throws {
        let deferred: [[UInt8]] = [
            line(data: "[\"a\",1,2]", datatype: "BYTES"),            // not numbers
            line(data: "[[1,2,3]]"),                                   // nested data
            line(data: "[1,2,3]", requestID: "\"r\\u0031\""),          // an escaped request id
            line(data: "[01,2,3]"),                                    // not JSON
            line(data: "[1e400,2,3]"),                                 // out of range
            line(data: "[1,2,3]", extra: ",\"inputs\":null"),        // a duplicate key ending in null
            Array(line(data: "[1,2,3]").dropLast()),                   // truncated
            Array("{\"inputs\":null,\"request_id\":\"x\"}".utf8),      // no inputs
            Array("{}".utf8), Array("[]".utf8), [],
        ]
        for bytes in deferred {
            #expect(ReplayEventScanner.scan(bytes[...], recorded: false) == nil, "\(String(decoding: bytes, as: UTF8.self))")
        }
        // Without recorded outputs the scanner still reads the inputs when outputs are absent.
        let noOutputs = Array("{\"inputs\":[{\"data\":[1],\"datatype\":\"FP64\",\"name\":\"x\",\"shape\":[1,1]}],\"outputs\":null}".utf8)
        #expect(ReplayEventScanner.scan(noOutputs[...], recorded: false) != nil)
        #expect(ReplayEventScanner.scan(noOutputs[...], recorded: true) == nil)
    }
}
